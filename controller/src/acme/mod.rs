pub mod dns01;
