// DEPClient: Apple's device enrollment web service — wire types, OAuth 1.0a, sessions, errors, retries.
//
// This module is part of ade's architecture (see DESIGN.md, "Modules") and is filled by a later issue.
// It exists now so that the package's import graph is fixed from the start and every module builds.
