//! Functions with more locals than the register VM's 256 registers: the
//! register VM compiles them itself (the locals past its registers live in
//! frame slots) instead of handing them to the tree interpreter, and every
//! engine agrees with the tree interpreter on them, with the collector in
//! stress mode too (a heap value held only by a frame slot must survive).

use ilo_runtime::engine::{Arg, Engine};
use ilo_runtime::error::Limits;
use ilo_suite::big_programs;

fn engines() -> Vec<Engine> {
    let mut all = vec![Engine::Stack, Engine::Reg];
    all.extend(ilo_suite::native_jits());
    all
}

fn check_program(units: usize, seed: u64) {
    let src = big_programs::program(units, seed);
    let loaded = ilo_suite::load(&src);
    let reg = loaded
        .reg()
        .unwrap_or_else(|e| panic!("register VM refused {units} units: {e:?}"));
    let big = reg.funcs.iter().find(|f| f.name == "big").expect("big");
    assert!(big.nregs <= 256, "`big` uses {} registers", big.nregs);
    if units >= 400 {
        assert!(big.nslots > 0, "{units} units should need frame slots");
    }
    for x in [0.0, 7.0, 613.0] {
        let args = [Arg::Num(x)];
        let reference = loaded
            .run("big", &args, Engine::Tree, Limits::default())
            .map(|o| o.printed)
            .map_err(|e| e.code);
        assert!(reference.is_ok(), "tree interpreter failed: {reference:?}");
        // The boolean guards return 7; none is taken, so the run reaches the end.
        assert_ne!(reference, Ok("7".to_string()), "a guard returned early");
        for engine in engines() {
            for gc_stress in [false, true] {
                let limits = Limits {
                    gc_stress,
                    ..Limits::default()
                };
                let r = loaded.run("big", &args, engine, limits);
                let ran = r.as_ref().ok().map(|o| o.engine);
                let got = r.map(|o| o.printed).map_err(|e| e.code);
                assert_eq!(
                    got, reference,
                    "{engine:?} (gc stress {gc_stress}) on {units} units, x = {x}"
                );
                assert_ne!(
                    ran,
                    Some(Engine::Tree),
                    "{engine:?} handed {units} units to the tree interpreter"
                );
            }
        }
    }
}

#[test]
fn small_function_needs_no_slots() {
    let src = big_programs::program(40, 1);
    let loaded = ilo_suite::load(&src);
    let reg = loaded.reg().expect("compiles");
    assert!(reg.funcs.iter().all(|f| f.nslots == 0));
    check_program(40, 1);
}

#[test]
fn locals_past_the_registers_live_in_frame_slots() {
    check_program(600, 2);
}

#[test]
fn thousands_of_locals() {
    check_program(5000, 3);
}

/// Loops and matches give their registers back when they end, so a long
/// run of them fits in the registers however many there are.
#[test]
fn sequential_loops_reuse_their_registers() {
    let body: String = (0..400).map(|i| format!("@i 0..3{{s=+s {i}}};")).collect();
    let src = format!("f x:n>n;s=x;{body}s");
    let loaded = ilo_suite::load(&src);
    let reg = loaded.reg().expect("compiles");
    assert!(
        reg.funcs[0].nregs < 16,
        "400 loops took {} registers",
        reg.funcs[0].nregs
    );
    let r = loaded
        .run("f", &[Arg::Num(1.0)], Engine::Reg, Limits::default())
        .expect("runs");
    assert_eq!(r.printed, (1 + 3 * (0..400).sum::<usize>()).to_string());
}

/// A recursive function with frame slots: each call's slots are its own.
#[test]
fn recursion_keeps_each_frames_slots() {
    let binds: String = (0..300).map(|i| format!("v{i}=+n {i};")).collect();
    let src = format!("f n:n>n;{binds}<=n 0 v299;r=f -n 1;+r v0");
    let loaded = ilo_suite::load(&src);
    assert!(loaded.reg().expect("compiles").funcs[0].nslots > 0);
    for engine in engines() {
        let r = loaded
            .run("f", &[Arg::Num(5.0)], engine, Limits::default())
            .expect("runs");
        // f 0 = 299; f n = f (n-1) + n.
        assert_eq!(r.printed, (299 + 5 + 4 + 3 + 2 + 1).to_string(), "{engine:?}");
        assert_ne!(r.engine, Engine::Tree);
    }
}
