// DEPSimulator: a faithful simulator of Apple's device enrollment web service and of ABM's token issuing.
//
// This module is part of ade's architecture (see DESIGN.md, "Modules") and is filled by a later issue.
// It exists now so that the package's import graph is fixed from the start and every module builds.
