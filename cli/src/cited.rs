//! `backprop-lab cited`: the cited-figures table (`backprop_lab_app::cited`) — every figure a page or
//! the book cites that is not computed live — listed, and with `--run` reproduced: each row's command
//! is run from the repository's root (`backprop-lab …` is this program; `scripts/…` through bash, once
//! for all the rows that share it) and the row's figure is looked for where the command prints it.
//! `scripts/check/cited-figures.sh` runs it; `--cheap` keeps the rows that take seconds (CI's subset).

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::process::Command;

use anyhow::{Context, Result, bail};
use backprop_lab_app::cited::{Check, all, found};

/// `cited`'s flags.
#[derive(clap::Args)]
pub struct CitedArgs {
    /// Re-run each row's command and check the row's figure in what it prints.
    #[arg(long)]
    run: bool,
    /// Only the rows that take seconds, not minutes (re-run in CI).
    #[arg(long)]
    cheap: bool,
    /// Only the rows whose id contains this.
    #[arg(long)]
    only: Option<String>,
}

/// Runs `cited`.
pub fn run(args: CitedArgs) -> Result<()> {
    let rows: Vec<_> = all()
        .into_iter()
        .filter(|r| !args.cheap || r.cheap)
        .filter(|r| args.only.as_deref().is_none_or(|o| r.id.contains(o)))
        .collect();
    if rows.is_empty() {
        bail!("no cited figure matches");
    }
    let mut outputs: HashMap<&str, String> = HashMap::new();
    let mut failed = Vec::new();
    for r in &rows {
        let source = if r.command.is_empty() {
            r.source
        } else {
            r.command
        };
        println!(
            "{} = {} {} — {} ({}, {}): {}",
            r.id, r.value, r.unit, r.what.en, r.measured, r.engine, source
        );
        if !args.run {
            continue;
        }
        if r.check == Check::Published {
            println!("  published: not re-run here");
            continue;
        }
        // A command several rows share (the sweep, `attack --harden`) runs once.
        let out = match outputs.entry(r.command) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(execute(r.command)?),
        };
        match found(out, r.check, r.value) {
            Ok(()) => println!("  reproduced"),
            Err(why) => {
                println!("  NOT REPRODUCED: {why}");
                failed.push(r.id);
            }
        }
    }
    if !failed.is_empty() {
        bail!(
            "{} of {} figures not reproduced: {}",
            failed.len(),
            rows.len(),
            failed.join(", ")
        );
    }
    Ok(())
}

/// Runs `command` (words split on spaces) from the repository's root: what it printed, both streams.
fn execute(command: &str) -> Result<String> {
    let mut words = command.split_whitespace();
    let program = words.next().unwrap_or_default();
    let mut cmd = if program == "backprop-lab" {
        Command::new(std::env::current_exe().context("this program's path")?)
    } else if program.starts_with("scripts/") {
        let mut c = Command::new("bash");
        c.arg(program).env("BACKPROP_LAB", std::env::current_exe()?);
        c
    } else {
        bail!("not a command of this repository: {command}");
    };
    let out = cmd
        .args(words)
        .output()
        .with_context(|| format!("running {command}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() {
        bail!("{command} failed:\n{text}");
    }
    Ok(text)
}
