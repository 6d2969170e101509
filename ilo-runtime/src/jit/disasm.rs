//! Disassembly of JIT code for `--emit asm` and the snapshots: iced-x86 for
//! x86-64, yaxpeax-arm for AArch64.

use super::Target;

/// Every function of `funcs` the JIT takes on `target`, each once (a call
/// shows the callee's offset in the same listing), or why it stays on the
/// register VM: `--emit asm` and the snapshots.
pub fn program_listing(funcs: &[crate::reg::RegFunc], target: Target) -> String {
    let (code, ranges) = super::compile_program(funcs, target);
    let mut out = String::new();
    for (f, range) in funcs.iter().zip(ranges) {
        match range {
            Ok(r) => {
                out += &format!("{}: {} bytes at {:#x}, {}\n", f.name, r.len(), r.start, target.name());
                out += &disassemble_at(&code[r.clone()], target, r.start);
            }
            Err(why) => out += &format!("{}: not compiled for {}: {why}\n", f.name, target.name()),
        }
    }
    out
}

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
