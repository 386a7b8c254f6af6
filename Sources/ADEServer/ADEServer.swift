// ADEServer: the Hummingbird application — JSON API, web console, enrollment endpoints, metrics, health.
//
// This module is part of ade's architecture (see DESIGN.md, "Modules") and is filled by a later issue.
// It exists now so that the package's import graph is fixed from the start and every module builds.
