//! What each command does beyond wiring it to the command line: the binary's `cli`
//! reads the arguments and calls in here.

#[cfg(feature = "sim")]
pub mod bench;
#[cfg(feature = "sim")]
pub mod demo;
pub mod follow;
pub mod init;
pub mod links;
#[cfg(feature = "sim")]
pub mod quality;
pub mod report;
pub mod review;
