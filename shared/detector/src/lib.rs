//! Pure, synchronous detector (see ARCHITECTURE.md). No I/O, no async, no AWS.
