//! Calibration by history matching: which values of the uncertain
//! parameters let the model meet its evidence, allowing for the evidence's
//! own error, the model's chance variation and what the emulators do not
//! know. [`plan`] reads a calibration file, [`emulator`] is the Gaussian
//! process that stands in for the model between runs, [`history`] rules out
//! implausible space and chooses each wave's points, [`run`] runs the waves
//! (as sweeps) in order and [`store`] writes the results.

pub mod emulator;
pub mod history;
pub mod plan;
pub mod run;
pub mod store;
