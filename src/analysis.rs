//! The worst case of a procedure's time limits: the largest sum of the
//! steps' `within:` over the simple paths from the first step to an exit
//! (`end` or a hand-off).
//!
//! The longest simple path is NP-hard in general, so the search is split
//! where procedures make it cheap:
//!
//! - The steps are grouped into loops (strongly connected components,
//!   Tarjan's algorithm, linear). A simple path enters a loop at most once
//!   and never comes back to it after leaving, so between loops the graph
//!   is a DAG and the best continuation from each step is computed once, in
//!   reverse topological order (linear).
//! - Inside a loop the search is exact: a depth-first walk over the simple
//!   paths from each step where the loop can be entered, pruned as soon as
//!   the limits not yet visited cannot beat the best total found. Loops in
//!   procedures are retries of a few steps, so this costs little; its
//!   worst case is exponential in the size of one loop, not in the file.
//! - The walk has a budget ([`BUDGET`] edge visits per file). A loop that
//!   would need more gets a path found in linear time instead (each step
//!   takes the shortest way out of the loop), and the result says it is
//!   not exact.
//!
//! On a tie the path whose choices come first in the document wins: edges
//! are tried in document order and only a strictly larger total replaces
//! the best.

use crate::flow::{EdgeTarget, Flow};
use crate::values::Duration;

/// The worst path of a procedure whose step `i` has the time limit
/// `within[i]` (counted in seconds; a step without one costs zero).
/// Edges to unknown targets are left out: no path goes through them.
pub fn worst_path(flow: &Flow, within: &[Option<Duration>]) -> Option<Longest> {
    let n = flow.step_count.min(within.len());
    let mut out: Vec<Vec<Next>> = vec![Vec::new(); n];
    for edge in &flow.edges {
        let next = match edge.to {
            EdgeTarget::Step(j) if j < n => Next::Step(j),
            EdgeTarget::End | EdgeTarget::Sop(_) => Next::Exit,
            EdgeTarget::Step(_) | EdgeTarget::Unknown(_) => continue,
        };
        if let Some(edges) = out.get_mut(edge.from) {
            edges.push(next);
        }
    }
    let cost: Vec<u64> = within[..n]
        .iter()
        .map(|d| d.map_or(0, |d| d.saturating_seconds()))
        .collect();
    longest_path(&out, &cost)
}

/// Where an edge of the graph leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// A step, by index.
    Step(usize),
    /// The procedure ends (`end` or a hand-off).
    Exit,
}

/// Edge visits the exact search may make in one file before it settles for
/// a path found in linear time.
pub const BUDGET: u64 = 2_000_000;

/// The worst path from step 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Longest {
    /// The sum of the costs of the path's steps.
    pub total: u128,
    /// The steps, in order, from step 0 to the step whose edge exits.
    pub path: Vec<usize>,
    /// `false` when the search ran out of budget: `total` is then the total
    /// of a real path but maybe not the largest.
    pub exact: bool,
}

/// How the best path from a step goes on.
#[derive(Clone, Copy, Debug)]
enum Via {
    /// Along this edge of the step.
    Edge(Next),
    /// Along a stored route through the step's loop.
    Route(usize),
    /// To this step of the same loop, which goes on by its fallback hop.
    Hop(usize),
}

#[derive(Clone, Copy, Debug)]
struct Best {
    total: u128,
    via: Via,
}

const UNSET: usize = usize::MAX;

/// The longest simple path from step 0 to an exit, where `out[i]` are the
/// edges of step `i` in document order and `cost[i]` its weight. `None`
/// when no path from step 0 reaches an exit.
pub fn longest_path(out: &[Vec<Next>], cost: &[u64]) -> Option<Longest> {
    longest_path_with_budget(out, cost, BUDGET)
}

/// [`longest_path`] with a given budget of edge visits.
pub fn longest_path_with_budget(out: &[Vec<Next>], cost: &[u64], budget: u64) -> Option<Longest> {
    let n = out.len();
    if n == 0 {
        return None;
    }
    let components = tarjan(out);
    let mut component = vec![UNSET; n];
    for (c, members) in components.iter().enumerate() {
        for &v in members {
            component[v] = c;
        }
    }
    // Entries: the steps a path can come into a loop by, from outside it.
    let mut entry = vec![false; n];
    entry[0] = true;
    for (u, edges) in out.iter().enumerate() {
        if component[u] == UNSET {
            continue;
        }
        for next in edges {
            if let Next::Step(t) = *next {
                if component[t] != component[u] {
                    entry[t] = true;
                }
            }
        }
    }

    let mut search = Search {
        out,
        cost,
        component: &component,
        best: vec![None; n],
        routes: Vec::new(),
        hops: Vec::new(),
        visited: vec![false; n],
        left: budget,
        exact: true,
    };
    // Tarjan finds components successors first: every continuation out of
    // a component is known before the component itself.
    for (c, members) in components.iter().enumerate() {
        let cyclic = members.len() > 1 || out[members[0]].contains(&Next::Step(members[0]));
        if cyclic {
            search.component(c, members, &entry);
        } else {
            let v = members[0];
            search.best[v] = search.best_edge(v);
        }
    }

    let first = search.best[0]?;
    let mut path = Vec::new();
    let mut at = 0;
    let mut via = first.via;
    loop {
        let next = match via {
            Via::Edge(next) => {
                path.push(at);
                next
            }
            Via::Route(r) => {
                let (steps, next) = &search.routes[r];
                path.extend_from_slice(steps);
                *next
            }
            Via::Hop(t) => {
                path.push(at);
                at = t;
                // Always set: a hop only leads to a step with a hop.
                let Some(hop) = search.hops[t] else { break };
                via = hop.via;
                continue;
            }
        };
        match next {
            Next::Exit => break,
            Next::Step(t) => {
                at = t;
                // Always set: a path only goes on to steps with a best.
                let Some(best) = search.best[t] else { break };
                via = best.via;
            }
        }
    }
    Some(Longest {
        total: first.total,
        path,
        exact: search.exact,
    })
}

struct Search<'a> {
    out: &'a [Vec<Next>],
    cost: &'a [u64],
    component: &'a [usize],
    best: Vec<Option<Best>>,
    /// Routes through loops: the steps from the entry, and the edge out.
    routes: Vec<(Vec<usize>, Next)>,
    /// The fallback's way out of a loop, per step; empty until needed.
    hops: Vec<Option<Best>>,
    visited: Vec<bool>,
    left: u64,
    exact: bool,
}

impl Search<'_> {
    /// What leaving along `next` is worth: 0 for an exit, the best total of
    /// the step it leads to, `None` when that step cannot finish.
    fn beyond(&self, next: Next) -> Option<u128> {
        match next {
            Next::Exit => Some(0),
            Next::Step(t) => self.best[t].map(|b| b.total),
        }
    }

    /// The best single edge out of `v` to a step already solved (or an
    /// exit), the first in document order on a tie.
    fn best_edge(&self, v: usize) -> Option<Best> {
        let mut best: Option<Best> = None;
        for &next in &self.out[v] {
            if let Next::Step(t) = next {
                if self.component[t] == self.component[v] {
                    continue;
                }
            }
            if let Some(rest) = self.beyond(next) {
                let total = u128::from(self.cost[v]) + rest;
                if best.is_none_or(|b| total > b.total) {
                    best = Some(Best {
                        total,
                        via: Via::Edge(next),
                    });
                }
            }
        }
        best
    }

    /// Solves a loop: an exact search from each of its entries while the
    /// budget lasts, then the linear fallback for the others.
    fn component(&mut self, c: usize, members: &[usize], entry: &[bool]) {
        let weight: u128 = members.iter().map(|&v| u128::from(self.cost[v])).sum();
        // The most a path can gain after leaving the loop.
        let mut beyond_max: u128 = 0;
        for &v in members {
            for &next in &self.out[v] {
                let outside = match next {
                    Next::Exit => true,
                    Next::Step(t) => self.component[t] != c,
                };
                if outside {
                    if let Some(rest) = self.beyond(next) {
                        beyond_max = beyond_max.max(rest);
                    }
                }
            }
        }
        let mut fallback_done = false;
        for &v in members.iter().filter(|&&v| entry[v]) {
            let mut found = None;
            if self.left > 0 {
                found = self.walk(c, v, weight, beyond_max);
                // Finished within the budget: exact, even when it found
                // no way out.
                if self.left > 0 {
                    self.best[v] = found;
                    continue;
                }
            }
            self.exact = false;
            if !fallback_done {
                self.fallback(c, members);
                fallback_done = true;
            }
            let hop = self.hops[v];
            self.best[v] = match (found, hop) {
                (Some(f), Some(h)) if h.total > f.total => Some(h),
                (Some(f), _) => Some(f),
                (None, h) => h,
            };
        }
    }

    /// The exact search from entry `v`: every simple path inside the loop,
    /// in document order, pruned by what is left to gain. `None` when no
    /// way out was found (or the budget ran out before one was).
    fn walk(&mut self, c: usize, v: usize, weight: u128, beyond_max: u128) -> Option<Best> {
        let out = self.out;
        let cost = self.cost;
        let mut stack: Vec<(usize, usize)> = vec![(v, 0)];
        self.visited[v] = true;
        let mut total = u128::from(cost[v]);
        let mut unvisited = weight - u128::from(cost[v]);
        let mut best: Option<(u128, Next)> = None;
        let mut route: Vec<usize> = Vec::new();
        // `route` and `stack` agree on their first `shared` steps; each
        // step is copied into `route` at most once per push.
        let mut shared = 0;
        while let Some(&(u, position)) = stack.last() {
            let hopeless = best.is_some_and(|(b, _)| total + unvisited + beyond_max <= b);
            if hopeless || position == out[u].len() || self.left == 0 {
                stack.pop();
                self.visited[u] = false;
                total -= u128::from(cost[u]);
                unvisited += u128::from(cost[u]);
                shared = shared.min(stack.len());
                continue;
            }
            if let Some(top) = stack.last_mut() {
                top.1 += 1;
            }
            self.left -= 1;
            let next = out[u][position];
            match next {
                Next::Step(t) if self.component[t] == c => {
                    if !self.visited[t] {
                        self.visited[t] = true;
                        total += u128::from(cost[t]);
                        unvisited -= u128::from(cost[t]);
                        stack.push((t, 0));
                    }
                }
                _ => {
                    if let Some(rest) = self.beyond(next) {
                        let candidate = total + rest;
                        if best.is_none_or(|(b, _)| candidate > b) {
                            best = Some((candidate, next));
                            route.truncate(shared);
                            route.extend(stack[shared..].iter().map(|&(s, _)| s));
                            shared = stack.len();
                        }
                    }
                }
            }
        }
        let (total, next) = best?;
        self.routes.push((route, next));
        Some(Best {
            total,
            via: Via::Route(self.routes.len() - 1),
        })
    }

    /// A way out of the loop for every step in linear time, in `hops`: a
    /// breadth-first search backwards from the steps with an edge out, so
    /// each step goes the shortest way (a simple path) to one of them.
    fn fallback(&mut self, c: usize, members: &[usize]) {
        if self.hops.len() != self.out.len() {
            self.hops = vec![None; self.out.len()];
        }
        let mut slot = std::collections::HashMap::with_capacity(members.len());
        for (k, &v) in members.iter().enumerate() {
            slot.insert(v, k);
        }
        // Predecessors inside the loop, by slot.
        let mut inside: Vec<Vec<usize>> = vec![Vec::new(); members.len()];
        for (k, &v) in members.iter().enumerate() {
            for &next in &self.out[v] {
                if let Next::Step(t) = next {
                    if self.component[t] == c {
                        inside[slot[&t]].push(k);
                    }
                }
            }
        }
        let mut queue = std::collections::VecDeque::new();
        let mut done = vec![false; members.len()];
        for (k, &v) in members.iter().enumerate() {
            if let Some(best) = self.best_edge(v) {
                self.hops[v] = Some(best);
                done[k] = true;
                queue.push_back(k);
            }
        }
        while let Some(k) = queue.pop_front() {
            let Some(after) = self.hops[members[k]] else {
                continue;
            };
            for &p in &inside[k] {
                if !done[p] {
                    done[p] = true;
                    let v = members[p];
                    self.hops[v] = Some(Best {
                        total: u128::from(self.cost[v]) + after.total,
                        via: Via::Hop(members[k]),
                    });
                    queue.push_back(p);
                }
            }
        }
    }
}

/// The strongly connected components of the steps reachable from step 0,
/// successors first (Tarjan's algorithm, without recursion).
fn tarjan(out: &[Vec<Next>]) -> Vec<Vec<usize>> {
    let n = out.len();
    let mut index = vec![UNSET; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut components = Vec::new();
    let mut calls: Vec<(usize, usize)> = vec![(0, 0)];
    let mut counter = 0;
    index[0] = 0;
    low[0] = 0;
    counter += 1;
    stack.push(0);
    on_stack[0] = true;
    while let Some(&mut (v, ref mut position)) = calls.last_mut() {
        if let Some(&next) = out[v].get(*position) {
            *position += 1;
            let Next::Step(w) = next else { continue };
            if index[w] == UNSET {
                index[w] = counter;
                low[w] = counter;
                counter += 1;
                stack.push(w);
                on_stack[w] = true;
                calls.push((w, 0));
            } else if on_stack[w] {
                low[v] = low[v].min(index[w]);
            }
            continue;
        }
        calls.pop();
        if let Some(&(parent, _)) = calls.last() {
            low[parent] = low[parent].min(low[v]);
        }
        if low[v] == index[v] {
            let mut members = Vec::new();
            while let Some(w) = stack.pop() {
                on_stack[w] = false;
                members.push(w);
                if w == v {
                    break;
                }
            }
            members.reverse();
            components.push(members);
        }
    }
    components
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every simple path from step 0 to an exit, in document order; the
    /// first with the largest total.
    fn brute_force(out: &[Vec<Next>], cost: &[u64]) -> Option<(u128, Vec<usize>)> {
        fn go(
            out: &[Vec<Next>],
            cost: &[u64],
            path: &mut Vec<usize>,
            total: u128,
            best: &mut Option<(u128, Vec<usize>)>,
        ) {
            let v = *path.last().unwrap();
            for &next in &out[v] {
                match next {
                    Next::Exit => {
                        if best.as_ref().is_none_or(|(b, _)| total > *b) {
                            *best = Some((total, path.clone()));
                        }
                    }
                    Next::Step(t) => {
                        if !path.contains(&t) {
                            path.push(t);
                            go(out, cost, path, total + u128::from(cost[t]), best);
                            path.pop();
                        }
                    }
                }
            }
        }
        let mut best = None;
        if !out.is_empty() {
            go(out, cost, &mut vec![0], u128::from(cost[0]), &mut best);
        }
        best
    }

    fn graphs() -> impl Strategy<Value = (Vec<Vec<Next>>, Vec<u64>)> {
        (1usize..9).prop_flat_map(|n| {
            let next = prop_oneof![
                1 => Just(Next::Exit),
                4 => (0..n).prop_map(Next::Step),
            ];
            (
                prop::collection::vec(prop::collection::vec(next, 0..4), n),
                prop::collection::vec(prop_oneof![Just(0u64), 1u64..5, Just(u64::MAX)], n),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// The search agrees with trying every simple path: the same total
        /// and, on a tie, the same (first in the document) path.
        #[test]
        fn agrees_with_brute_force((out, cost) in graphs()) {
            let expected = brute_force(&out, &cost);
            let found = longest_path(&out, &cost);
            prop_assert_eq!(
                found.as_ref().map(|l| (l.total, l.path.clone())),
                expected
            );
            prop_assert!(found.is_none_or(|l| l.exact));
        }

        /// With no budget the fallback still finds a real path when one
        /// exists, and says it is not exact.
        #[test]
        fn fallback_finds_a_real_path((out, cost) in graphs()) {
            let expected = brute_force(&out, &cost);
            let found = longest_path_with_budget(&out, &cost, 0);
            prop_assert_eq!(found.is_some(), expected.is_some());
            if let (Some(found), Some((best, _))) = (found, expected) {
                prop_assert!(found.total <= best);
                prop_assert_eq!(found.path[0], 0);
                let mut seen = std::collections::HashSet::new();
                let mut total = 0u128;
                for (k, &v) in found.path.iter().enumerate() {
                    prop_assert!(seen.insert(v), "a step twice in {:?}", found.path);
                    total += u128::from(cost[v]);
                    let next = found.path.get(k + 1).map_or(Next::Exit, |&t| Next::Step(t));
                    prop_assert!(out[v].contains(&next), "no edge {:?} from {}", next, v);
                }
                prop_assert_eq!(total, found.total);
            }
        }
    }

    fn chain(n: usize) -> Vec<Vec<Next>> {
        (0..n)
            .map(|i| {
                vec![if i + 1 < n {
                    Next::Step(i + 1)
                } else {
                    Next::Exit
                }]
            })
            .collect()
    }

    #[test]
    fn a_retry_loop_is_taken_once() {
        // 0 -> 1 -> 2 -(retry)-> 1, 2 -> exit
        let out = vec![
            vec![Next::Step(1)],
            vec![Next::Step(2)],
            vec![Next::Step(1), Next::Exit],
        ];
        let found = longest_path(&out, &[1, 10, 100]).unwrap();
        assert_eq!(
            (found.total, found.path, found.exact),
            (111, vec![0, 1, 2], true)
        );
    }

    #[test]
    fn ties_go_to_the_first_choice() {
        // 0 -> 1 or 2, both cost 5.
        let out = vec![
            vec![Next::Step(2), Next::Step(1)],
            vec![Next::Exit],
            vec![Next::Exit],
        ];
        let found = longest_path(&out, &[0, 5, 5]).unwrap();
        assert_eq!(found.path, vec![0, 2]);
    }

    #[test]
    fn no_way_out_is_none() {
        let out = vec![vec![Next::Step(1)], vec![Next::Step(0)]];
        assert_eq!(longest_path(&out, &[1, 1]), None);
    }

    #[test]
    fn long_chains_and_cycles_need_no_recursion() {
        let n = 200_000;
        let found = longest_path(&chain(n), &vec![1; n]).unwrap();
        assert_eq!((found.total, found.path.len()), (n as u128, n));
        // One loop of all the steps, left from the last.
        let mut out = chain(n);
        out[n - 1] = vec![Next::Step(0), Next::Exit];
        let found = longest_path(&out, &vec![1; n]).unwrap();
        assert_eq!((found.total, found.exact), (n as u128, true));
    }

    #[test]
    fn a_dense_loop_stops_at_the_budget_with_a_real_path() {
        // Every step may skip the next one, and the last goes back to the
        // first: the simple paths grow like Fibonacci numbers.
        let n = 400;
        let mut out: Vec<Vec<Next>> = (0..n)
            .map(|i| vec![Next::Step((i + 2) % n), Next::Step((i + 1) % n)])
            .collect();
        out[n / 2].push(Next::Exit);
        let cost: Vec<u64> = (0..n as u64).map(|i| i % 3).collect();
        let found = longest_path(&out, &cost).unwrap();
        assert!(!found.exact);
        assert_eq!(found.path.last(), Some(&(n / 2)));
    }
}
