// ADENotify: delivery of outbox events and alerts (webhooks, Slack, Teams, SMTP) with retries and a delivery log.
//
// This module is part of ade's architecture (see DESIGN.md, "Modules") and is filled by a later issue.
// It exists now so that the package's import graph is fixed from the start and every module builds.
