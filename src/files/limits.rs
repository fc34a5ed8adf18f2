//! Every limit on what an input may ask for, in one place, each far above
//! any real use and far below what would exhaust the machine. They are
//! checked before anything is allocated: a file's size while it is read, a
//! design's size from its definition, a register's rows while they are
//! parsed. README ("Reliability") lists them.

/// A scenario, comparison, sweep, sensitivity or calibration file (real
/// ones are a few kB).
pub const TEXT_FILE_BYTES: u64 = 1 << 20;
/// A trust register (CSV); England's register is about 30 kB.
pub const REGISTER_BYTES: u64 = 16 << 20;
/// Rows of a trust register (England has about 210 trusts).
pub const REGISTER_ROWS: usize = 10_000;
/// A parameter-sets file (parquet).
pub const PARAMETER_SETS_BYTES: u64 = 64 << 20;
/// Sets in a parameter-sets file (a calibration keeps at most a few hundred).
pub const PARAMETER_SETS: usize = 100_000;
/// A manifest or another JSON record trustsim writes and reads back (the
/// resolved scenario, with a register, is its largest part).
pub const RECORD_BYTES: u64 = 64 << 20;
/// A saved-state file.
pub const STATE_BYTES: u64 = 64 << 30;
/// One replication's state in a saved-state file, decompressed (a full
/// England replication is a few tens of MB).
pub const STATE_FRAME_BYTES: u64 = 4 << 30;
/// Units (design points) of a sweep, sensitivity study or calibration wave.
pub const DESIGN_UNITS: usize = 20_000;
/// Grid levels of a Morris design.
pub const MORRIS_LEVELS: usize = 1_000;
/// Bootstrap resamples of a sensitivity analysis.
pub const BOOTSTRAP: usize = 100_000;
