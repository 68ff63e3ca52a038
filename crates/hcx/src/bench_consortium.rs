//! `hcx bench consortium`: the consortium optimiser on generated bundles,
//! at 50, 200 and 1,000 candidates × 10, 20 and 30 requirements, several
//! instances each: how many it proves optimal within the time limit, how
//! long that takes, and the gap where it stops.
//!
//! An instance is a bundle whose requirements need 20 to 400 staff days,
//! and candidates that each offer two to six of them, fitting by their own
//! quality and the offer's; most state their capacity in days (150 to
//! 1,500), a few do not, and three in ten may not lead (universities and
//! suppliers). A team may have `requirements / 3 + 2` members.

use std::io::Write as _;
use std::time::{Duration, Instant};

use hcx_domain::consortium::{Candidate, Offering, Part, Problem, SolverKind, Status, plan};

use crate::bench::{Lcg, machine};
use crate::services::consortium::COORDINATION_COST;

/// Candidates and requirements of the sizes measured.
pub const CANDIDATES: [usize; 3] = [50, 200, 1_000];
pub const REQUIREMENTS: [usize; 3] = [10, 20, 30];

/// What one solve gave.
struct Run {
    status: Status,
    elapsed: Duration,
    gap: Option<f64>,
}

/// Runs the benchmark: `instances` per size, each solver given
/// `time_limit`; prints each size as it is measured.
pub fn run(instances: usize, time_limit: Duration) -> anyhow::Result<()> {
    let mut solvers = vec![SolverKind::Microlp];
    if SolverKind::Highs.solver().is_ok() {
        solvers.push(SolverKind::Highs);
    }
    let mut out = std::io::stdout();
    writeln!(
        out,
        "consortium optimiser: {instances} generated instances per size, time limit {:.0} s, coordination cost {COORDINATION_COST}",
        time_limit.as_secs_f64()
    )?;
    writeln!(
        out,
        "{:>10} {:>12} {:>7} {:>8} {:>7} {:>17} {:>10} {:>12} {:>9} {:>12} {:>10}",
        "candidates",
        "requirements",
        "members",
        "solver",
        "proven",
        "median to optimum",
        "slowest",
        "median gap",
        "max gap",
        "longest stop",
        "infeasible"
    )?;
    for &candidates in &CANDIDATES {
        for &requirements in &REQUIREMENTS {
            let problems: Vec<Problem> = (0..instances)
                .map(|i| {
                    instance(
                        1_000 * candidates as u64 + 10 * requirements as u64 + i as u64,
                        candidates,
                        requirements,
                    )
                })
                .collect();
            for &kind in &solvers {
                let solver = kind.solver()?;
                let mut runs = Vec::new();
                for p in &problems {
                    let started = Instant::now();
                    let planned = plan(p, solver.as_ref(), time_limit)?;
                    runs.push(Run {
                        status: planned.status,
                        elapsed: started.elapsed(),
                        gap: planned.gap,
                    });
                }
                writeln!(
                    out,
                    "{}",
                    row(
                        candidates,
                        requirements,
                        problems[0].max_members,
                        kind,
                        &runs
                    )
                )?;
            }
        }
    }
    writeln!(out, "{}", machine())?;
    Ok(())
}

fn row(
    candidates: usize,
    requirements: usize,
    members: usize,
    kind: SolverKind,
    runs: &[Run],
) -> String {
    let mut proven: Vec<Duration> = runs
        .iter()
        .filter(|r| r.status == Status::Optimal)
        .map(|r| r.elapsed)
        .collect();
    proven.sort();
    let mut gaps: Vec<f64> = runs
        .iter()
        .filter(|r| r.status == Status::TimeLimit)
        .map(|r| r.gap.unwrap_or(f64::NAN))
        .collect();
    gaps.sort_by(f64::total_cmp);
    let longest_stop = runs
        .iter()
        .filter(|r| r.status == Status::TimeLimit)
        .map(|r| r.elapsed)
        .max();
    let infeasible = runs
        .iter()
        .filter(|r| r.status == Status::Infeasible)
        .count();
    let seconds =
        |d: Option<&Duration>| d.map_or("-".to_owned(), |d| format!("{:.3} s", d.as_secs_f64()));
    let percent = |g: Option<&f64>| g.map_or("-".to_owned(), |g| format!("{:.2}%", g * 100.0));
    format!(
        "{candidates:>10} {requirements:>12} {members:>7} {:>8} {:>7} {:>17} {:>10} {:>12} {:>9} {:>12} {:>10}",
        kind.as_str(),
        format!("{}/{}", proven.len(), runs.len()),
        seconds(proven.get(proven.len().saturating_sub(1) / 2)),
        seconds(proven.last()),
        percent(gaps.get(gaps.len().saturating_sub(1) / 2)),
        percent(gaps.last()),
        seconds(longest_stop.as_ref()),
        infeasible,
    )
}

/// A generated bundle of `requirements` parts among `candidates` providers;
/// the same for the same seed.
pub fn instance(seed: u64, candidates: usize, requirements: usize) -> Problem {
    let mut rng = Lcg(seed);
    let mut unit = move || (rng.next() % 1_000_000) as f64 / 1_000_000.0;
    let parts: Vec<Part> = (0..requirements)
        .map(|i| Part {
            id: format!("R{}", i + 1),
            days: 20 + (unit() * 381.0) as u32,
            kept_out: Vec::new(),
        })
        .collect();
    let mut providers = Vec::with_capacity(candidates);
    let mut options = Vec::new();
    for c in 0..candidates {
        let capacity_days = (unit() >= 0.15).then(|| 150 + (unit() * 1_351.0) as u32);
        providers.push(Candidate {
            provider: format!("P{:04}", c + 1),
            capacity_days,
            may_lead: unit() >= 0.3,
        });
        let quality = 0.3 + 0.6 * unit();
        let offered = (2 + (unit() * 5.0) as usize).min(requirements);
        let mut taken: Vec<usize> = Vec::with_capacity(offered);
        while taken.len() < offered {
            let part = (unit() * requirements as f64) as usize % requirements;
            if !taken.contains(&part) {
                taken.push(part);
            }
        }
        for part in taken {
            options.push(offering(c, part, quality + 0.3 * (unit() - 0.5)));
        }
    }
    // Every requirement has someone to offer it.
    for part in 0..requirements {
        if !options.iter().any(|o: &Offering| o.part == part) {
            let c = (unit() * candidates as f64) as usize % candidates;
            options.push(offering(c, part, 0.3 + 0.6 * unit()));
        }
    }
    Problem {
        parts,
        candidates: providers,
        options,
        max_members: requirements / 3 + 2,
        coordination_cost: COORDINATION_COST,
    }
}

fn offering(candidate: usize, part: usize, fit: f64) -> Offering {
    Offering {
        candidate,
        part,
        offer: format!("P{:04}-R{}", candidate + 1, part + 1),
        fit: (fit.clamp(0.0, 1.0) * 1_000.0).round() / 1_000.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_instance_is_repeatable_and_within_its_ranges() {
        let p = instance(7, 200, 20);
        assert_eq!(p, instance(7, 200, 20));
        assert_eq!(
            (p.candidates.len(), p.parts.len(), p.max_members),
            (200, 20, 8)
        );
        assert!(p.parts.iter().all(|r| (20..=400).contains(&r.days)));
        assert!(p.options.iter().all(|o| (0.0..=1.0).contains(&o.fit)));
        assert!((0..20).all(|part| p.options.iter().any(|o| o.part == part)));
        let leaders = p.candidates.iter().filter(|c| c.may_lead).count();
        assert!((100..190).contains(&leaders), "{leaders}");
        let per_candidate = p.options.len() as f64 / 200.0;
        assert!((2.0..=6.5).contains(&per_candidate), "{per_candidate}");
    }

    #[test]
    fn a_small_instance_is_planned_optimal_within_the_limit() {
        let p = instance(3, 50, 10);
        let planned = plan(
            &p,
            &hcx_domain::consortium::Microlp,
            Duration::from_secs(30),
        )
        .unwrap();
        assert_eq!(planned.status, Status::Optimal, "{planned:?}");
        assert_eq!(planned.gap, Some(0.0));
    }
}
