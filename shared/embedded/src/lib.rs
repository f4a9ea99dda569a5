//! Local-mode adapters: SQLite stores, the local master key file, in-memory fakes.
