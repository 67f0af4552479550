pub mod export;

pub fn run() -> i32 {
    0
}
