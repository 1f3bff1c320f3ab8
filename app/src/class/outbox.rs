//! The student's side of "nothing lost": every report gets the next sequence number and waits in an
//! outbox (kept in this browser with the join) until the server says it is stored (`Ack`), so a reload,
//! a dropped connection or a restarted server loses nothing; a reconnect sends what is still waiting,
//! in order. The server's `Welcome.acked` (the highest sequence number it stored) drops the rest.

use backprop_classroom::{Joined, Report};
use serde::{Deserialize, Serialize};

/// Reports not yet acknowledged, in the order they were made.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Outbox {
    /// The sequence number the next report gets (from 1).
    pub next_seq: u64,
    /// `(seq, report)`, oldest first.
    pub pending: Vec<(u64, Report)>,
}

impl Outbox {
    /// Queues a report under the next sequence number, which it returns.
    pub fn push(&mut self, report: Report) -> u64 {
        let seq = self.next_seq.max(1);
        self.next_seq = seq + 1;
        self.pending.push((seq, report));
        seq
    }

    /// The server stored `seq`: it leaves the outbox.
    pub fn ack(&mut self, seq: u64) {
        self.pending.retain(|(s, _)| *s != seq);
    }

    /// The server's `Welcome`: everything up to `acked` is stored, and numbering goes on after it (a
    /// page whose outbox was older than the server's record never reuses a stored number).
    pub fn welcome(&mut self, acked: u64) {
        self.pending.retain(|(s, _)| *s > acked);
        self.next_seq = self.next_seq.max(acked + 1).max(1);
    }

    /// What to send after a reconnect, oldest first.
    pub fn to_resend(&self) -> impl Iterator<Item = &(u64, Report)> {
        self.pending.iter()
    }
}

/// A join as this browser keeps it: the server's answer, the name the student typed (never sent),
/// the next run number and the outbox. One record under one key, written after every change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The server's answer to the join (pseudonym, token, code).
    pub joined: Joined,
    /// The student's own name, shown only on this page.
    #[serde(default)]
    pub name: String,
    /// The run number the next run gets (from 1).
    pub next_run: u32,
    /// Reports waiting for the server.
    pub outbox: Outbox,
    /// The last assignment this browser applied to a form (so a reconnect does not undo a student's own
    /// later change by applying it again), as JSON.
    #[serde(default)]
    pub applied: Option<String>,
    /// The last presenter step this page followed, `lesson/step`.
    #[serde(default)]
    pub followed: Option<String>,
    /// The teacher ended the class.
    #[serde(default)]
    pub ended: bool,
}

impl Record {
    /// A fresh record for a join.
    pub fn new(joined: Joined, name: String) -> Self {
        Self {
            joined,
            name,
            next_run: 1,
            outbox: Outbox {
                next_seq: 1,
                pending: Vec::new(),
            },
            applied: None,
            followed: None,
            ended: false,
        }
    }

    /// Takes the next run number.
    pub fn next_run(&mut self) -> u32 {
        let run = self.next_run.max(1);
        self.next_run = run + 1;
        run
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use backprop_classroom::ReportBody;

    fn report(step: u32) -> Report {
        Report {
            run: 1,
            lesson: "train".into(),
            body: ReportBody::Diverged { step },
        }
    }

    #[test]
    fn reports_are_numbered_kept_until_acknowledged_and_resent_in_order() {
        let mut o = Outbox::default();
        assert_eq!(o.push(report(1)), 1, "numbering starts at 1");
        assert_eq!(o.push(report(2)), 2);
        assert_eq!(o.push(report(3)), 3);
        o.ack(2);
        let left: Vec<u64> = o.to_resend().map(|(s, _)| *s).collect();
        assert_eq!(left, vec![1, 3]);
        // A reconnect: the server had stored up to 1; 3 is resent, and new reports follow it.
        o.welcome(1);
        let left: Vec<(u64, u32)> = o
            .to_resend()
            .map(|(s, r)| match r.body {
                ReportBody::Diverged { step } => (*s, step),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(left, vec![(3, 3)]);
        assert_eq!(o.push(report(4)), 4);
        // A server that stored more than the page knew (the page's copy was older): nothing is resent
        // and no stored number is used again.
        o.welcome(10);
        assert!(o.pending.is_empty());
        assert_eq!(o.push(report(5)), 11);
    }

    #[test]
    fn a_record_counts_runs_and_survives_its_json() {
        let joined = Joined {
            student: 3,
            token: "s3cret".into(),
            code: "ABCDEF".into(),
            pseudonym: backprop_classroom::pseudonym::Pseudonym::new(2, 7),
        };
        let mut r = Record::new(joined, "Ana".into());
        assert_eq!((r.next_run(), r.next_run()), (1, 2));
        r.outbox.push(report(9));
        let text = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<Record>(&text).unwrap(), r);
    }
}
