// ADEPostgres: the PostgreSQL store (postgres-nio), passing the shared store test battery.
//
// This module is part of ade's architecture (see docs/architecture.md, the module table) and is filled when the
// PostgreSQL store is built. It exists now so that the package's import graph is fixed from the start and every
// module builds.
