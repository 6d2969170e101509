//! Disassembly of JIT code for `--emit asm` and the snapshots: iced-x86 for
//! x86-64, yaxpeax-arm for AArch64.

use super::Target;

pub fn disassemble(code: &[u8], target: Target) -> String {
    disassemble_at(code, target, 0)
}

/// `code` that sits at offset `base` of a larger buffer, addressed as there
/// (so calls between functions of one buffer read right).
pub fn disassemble_at(code: &[u8], target: Target, base: usize) -> String {
    match target {
        Target::X86_64 => x86_64(code, base),
        Target::Aarch64 => aarch64(code, base),
    }
}

fn x86_64(code: &[u8], base: usize) -> String {
    use iced_x86::{Decoder, DecoderOptions, Formatter, IntelFormatter};
    let mut decoder = Decoder::with_ip(64, code, base as u64, DecoderOptions::NONE);
    let mut formatter = IntelFormatter::new();
    let mut out = String::new();
    for ins in &mut decoder {
        let mut text = String::new();
        formatter.format(&ins, &mut text);
        let start = ins.ip() as usize;
        let bytes: Vec<String> = code[start - base..start - base + ins.len()]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        out += &format!("  {start:04x}  {:<24} {text}\n", bytes.join(" "));
    }
    out
}

fn aarch64(code: &[u8], base: usize) -> String {
    use yaxpeax_arch::{Decoder, U8Reader};
    use yaxpeax_arm::armv8::a64::InstDecoder;
    let decoder = InstDecoder::default();
    let mut out = String::new();
    for (i, word) in code.chunks(4).enumerate() {
        let mut reader = U8Reader::new(word);
        let text = match decoder.decode(&mut reader) {
            Ok(ins) => ins.to_string(),
            Err(e) => format!("<{e}>"),
        };
        let hex = word.iter().rev().map(|b| format!("{b:02x}")).collect::<String>();
        out += &format!("  {:04x}  {hex}  {text}\n", base + i * 4);
    }
    out
}
