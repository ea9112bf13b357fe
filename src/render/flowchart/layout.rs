//! A layered (Sugiyama-style) graph layout, top to bottom, optionally in
//! swimlanes (columns, one per lane).
//!
//! 1. Cycles are broken by a depth-first search from the start, visiting
//!    successors in node order: an edge to a node still on the stack is a
//!    back edge (a loop of the procedure) and is laid out reversed.
//! 2. Layers: longest path over the resulting DAG (Kahn's algorithm). An
//!    edge with a label spans at least two layers, so that its label gets a
//!    slot of its own and can never overlap a node or another label.
//! 3. Edges spanning several layers get a dummy item in every layer between
//!    their ends; the label item is the one next to the edge's source. The
//!    dummies are budgeted ([`DUMMY_BUDGET_PER_ITEM`] per node and edge):
//!    past the budget, the longest edges run in a corridor right of the
//!    drawing instead, one track each (tracks are reused by edges whose
//!    layer spans do not overlap: interval partitioning). So the items stay
//!    linear in the graph even when a random graph's edges span thousands
//!    of layers.
//! 4. Crossings are reduced by barycenter sweeps (keeping the best order,
//!    counted with a Fenwick tree), within each lane; then each loop's lane
//!    is moved to the right of the layers it passes unless that adds
//!    crossings, shortest loops first, for as long as a work budget linear
//!    in the items lasts.
//! 5. Coordinates: items are pulled toward their neighbours (weighted mean)
//!    in alternating sweeps; each layer (each lane of a layer) is placed by
//!    isotonic regression, which keeps the order and the spacing exactly.
//!    Then the dummies of each edge are put on straight vertical runs, and
//!    runs of steps on straight columns, where the layers leave room. Lanes
//!    are laid out side by side, each as wide as its widest layer.
//! 6. Routes: forward edges leave a node's bottom and enter the next one's
//!    top, through their dummies. Back edges leave the source's right side,
//!    run up a lane to the right and enter the target's right side; lanes
//!    are reserved in each node's right extent and nested (short loops
//!    inside), so they never cross a node or each other at a node. Layers
//!    that edges cross far sideways are spaced further apart. Corridor
//!    edges run sideways in the gap next to their source's layer, along
//!    their track, and back in the gap next to their target's layer.
//!
//! Everything is `Vec`-indexed and sorted with total orders and explicit
//! tie-breakers, so the output is deterministic. Every pass is linear in
//! the items and segments up to sorting, with a constant number of sweeps
//! (fewer past [`LARGE`] items), and the items are linear in the nodes and
//! edges (`cargo bench --bench flowchart` measures 500 to 10,000 random
//! steps).

/// Width and height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Size {
    pub width: f64,
    pub height: f64,
}

/// A point in the drawing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// A node to place: its size, and how far its left and right tips are
/// indented at the top and bottom (0 for a rectangle, more for a hexagon).
#[derive(Debug, Clone, Copy)]
pub struct NodeSpec {
    pub size: Size,
    pub side_indent: f64,
    /// The swimlane, `0` without lanes.
    pub lane: usize,
}

/// An edge to route, with the size of its label box if it has one.
#[derive(Debug, Clone, Copy)]
pub struct EdgeSpec {
    pub from: usize,
    pub to: usize,
    pub label: Option<Size>,
}

/// How an edge was routed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    /// Downward: from the source's bottom into the target's top.
    Forward,
    /// A loop: out of the source's right side, up a lane, into the target's
    /// right side.
    Back,
    /// From a node's right side back into it.
    SelfLoop,
}

/// An edge's route. `points` run from the source to the target; between
/// two points that differ in both x and y the path is a smooth curve
/// with vertical tangents, otherwise a straight line. The last segment
/// points into the target: down for forward edges, left otherwise.
#[derive(Debug, Clone)]
pub struct Route {
    pub kind: RouteKind,
    pub points: Vec<Point>,
    /// The centre of the label box.
    pub label: Option<Point>,
}

/// The result: node centres, edge routes, and the drawing's size.
#[derive(Debug, Clone)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub nodes: Vec<Point>,
    pub routes: Vec<Route>,
    /// The left and right x of every lane (empty without lanes); lanes
    /// fill the drawing's height.
    pub lanes: Vec<(f64, f64)>,
}

impl Layout {
    /// Moves everything by `dx`, `dy`, growing the drawing to match.
    pub fn translate(&mut self, dx: f64, dy: f64) {
        let shift = |p: &mut Point| {
            p.x += dx;
            p.y += dy;
        };
        self.nodes.iter_mut().for_each(shift);
        for route in &mut self.routes {
            route.points.iter_mut().for_each(shift);
            route.label.iter_mut().for_each(shift);
        }
        for lane in &mut self.lanes {
            lane.0 += dx;
            lane.1 += dx;
        }
        self.width += dx;
        self.height += dy;
    }
}

const MARGIN: f64 = 16.0;
const NODE_GAP: f64 = 28.0;
const DUMMY_GAP: f64 = 10.0;
const DUMMY_WIDTH: f64 = 6.0;
const RANK_GAP: f64 = 34.0;
const RANK_GAP_SMALL: f64 = 14.0;
const LANE_GAP: f64 = 12.0;
const PORT_GAP: f64 = 8.0;
const PORT_SPREAD: f64 = 14.0;
const ORDER_ITERATIONS: usize = 8;
const COORDINATE_ITERATIONS: usize = 12;
/// Past this many items, a graph is far beyond what a reader follows, and
/// the sweeps are fewer ([`Effort`]): the layout stays quick.
const LARGE: usize = 20_000;
/// Dummy items allowed per node and edge before long edges take the
/// corridor.
pub const DUMMY_BUDGET_PER_ITEM: usize = 4;
/// Space between corridor tracks, and between the drawing and the first.
const TRACK_GAP: f64 = 6.0;
/// Space inside a lane on each side of its content.
const LANE_PAD: f64 = 16.0;
/// How many sweeps each phase makes: fewer for a [`LARGE`] graph.
#[derive(Debug, Clone, Copy)]
struct Effort {
    order: usize,
    coordinates: usize,
    /// Loop moves ([`loops_to_the_right`]) may look at this many items and
    /// segments per item and segment of the graph.
    loop_work: usize,
    /// Rounds of [`straighten`] and [`align_columns`].
    alignment: usize,
}

impl Effort {
    fn for_items(items: usize) -> Self {
        if items <= LARGE {
            Effort {
                order: ORDER_ITERATIONS,
                coordinates: COORDINATE_ITERATIONS,
                loop_work: 16,
                alignment: 3,
            }
        } else {
            Effort {
                order: 3,
                coordinates: 6,
                loop_work: 2,
                alignment: 1,
            }
        }
    }
}
/// Items [`try_move`] may push aside in each direction.
const PUSH_LIMIT: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ItemKind {
    Node,
    Dummy,
    Label,
}

#[derive(Debug, Clone)]
struct Item {
    kind: ItemKind,
    layer: usize,
    left: f64,
    right: f64,
    height: f64,
}

/// A piece of an edge between two adjacent layers. `upper_offset` and
/// `lower_offset` are where the edge attaches, relative to the items'
/// centres (a lane to the right of a node for back edges).
#[derive(Debug, Clone, Copy)]
struct Segment {
    upper: usize,
    lower: usize,
    upper_offset: f64,
    lower_offset: f64,
    weight: f64,
}

/// A back edge's or self-loop's attachment on a node's right side.
#[derive(Debug, Clone, Copy, Default)]
struct Port {
    /// The lane's x relative to the node's centre.
    lane: f64,
    /// Vertical offset of the attachment from the node's centre.
    dy: f64,
}

struct Chain {
    /// Item ids from the top layer to the bottom one, ends included. A
    /// corridor edge has no dummies: its ends and its label item only.
    items: Vec<usize>,
    reversed: bool,
    label_item: Option<usize>,
    /// Runs in the corridor, on this track.
    corridor: Option<usize>,
}

/// Lays out a graph without lanes. `start` is where the cycle-breaking
/// search begins.
pub fn layout(nodes: &[NodeSpec], edges: &[EdgeSpec], start: usize) -> Layout {
    layout_in_lanes(nodes, edges, start, &[])
}

/// Lays out a graph in lanes: `lane_widths` holds the least width of each
/// lane (room for its heading); every node's `lane` indexes it. With fewer
/// than two lanes there are none.
///
/// The phases, in order: break cycles ([`back_edges`]), assign layers
/// ([`assign_layers`]), split long edges into chains of dummy and label
/// items or send them to the corridor ([`chains`]), reserve lanes for back
/// edges ([`right_ports`]), order each layer ([`order_layers`],
/// [`loops_to_the_right`]), assign coordinates ([`assign_x`],
/// [`straighten`], [`align_columns`], [`place_lanes`], [`assign_y`]), then
/// route every edge ([`route_edges`]).
pub fn layout_in_lanes(
    nodes: &[NodeSpec],
    edges: &[EdgeSpec],
    start: usize,
    lane_widths: &[f64],
) -> Layout {
    let n = nodes.len();
    if n == 0 {
        return Layout {
            width: 2.0 * MARGIN,
            height: 2.0 * MARGIN,
            nodes: Vec::new(),
            routes: Vec::new(),
            lanes: Vec::new(),
        };
    }
    let lane_count = if lane_widths.len() >= 2 {
        lane_widths.len()
    } else {
        1
    };
    let reversed = back_edges(n, edges, start);
    let layer = assign_layers(n, edges, &reversed, start);
    let (mut items, chains) = chains(nodes, edges, &reversed, &layer);
    // Every item's lane: a node's own; a dummy or label goes with the edge's
    // source (a loop's lane runs up beside its source).
    let mut lane: Vec<usize> = vec![0; items.len()];
    if lane_count > 1 {
        for (i, spec) in nodes.iter().enumerate() {
            lane[i] = spec.lane.min(lane_count - 1);
        }
        for (e, chain) in chains.iter().enumerate() {
            let Some(chain) = chain else { continue };
            let source = lane[edges[e].from];
            for &i in &chain.items[1..chain.items.len() - 1] {
                lane[i] = source;
            }
        }
    }

    // Lanes and ports on the right side of nodes, for back edges and loops.
    let (ports, extents) = right_ports(nodes, edges, &chains, &layer);
    for (i, extent) in extents.iter().enumerate() {
        items[i].right += extent;
    }
    let segments = segments(&items, &chains, &ports);

    let layer_count = layer.iter().copied().max().unwrap_or(0) + 1;
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    for (s, seg) in segments.iter().enumerate() {
        up[seg.lower].push(s);
        down[seg.upper].push(s);
    }
    let effort = Effort::for_items(items.len());
    let mut order = order_layers(&items, &lane, layer_count, &segments, &up, &down, effort);
    loops_to_the_right(&mut order, &chains, &segments, &up, &items, &lane, effort);
    // Coordinates are found per lane of each layer (a row); across lanes,
    // edges do not pull.
    let rows: Vec<Vec<usize>> = order
        .iter()
        .flat_map(|layer| {
            layer
                .chunk_by(|&a, &b| lane[a] == lane[b])
                .map(<[usize]>::to_vec)
        })
        .collect();
    let pull: Vec<bool> = segments
        .iter()
        .map(|s| lane[s.upper] == lane[s.lower])
        .collect();
    let mut x = assign_x(&items, &rows, &segments, &pull, &up, &down, effort);
    for _ in 0..effort.alignment {
        straighten(&items, &lane, &rows, &chains, &ports, &mut x);
        align_columns(&items, &rows, &segments, &pull, &up, &chains, &mut x);
    }
    straighten(&items, &lane, &rows, &chains, &ports, &mut x);
    let lanes = if lane_count > 1 {
        place_lanes(&items, &lane, lane_widths, &mut x)
    } else {
        Vec::new()
    };
    let (layer_y, layer_h) = assign_y(&items, &order, &segments, &x);

    let geometry = Geometry {
        nodes,
        items: &items,
        x: &x,
        layer_y: &layer_y,
        layer_h: &layer_h,
        corridor: items
            .iter()
            .enumerate()
            .map(|(i, item)| x[i] + item.right)
            .fold(0.0, f64::max)
            .max(lanes.last().map_or(0.0, |l| l.1)),
    };
    let mut routes = route_edges(&geometry, edges, &chains, &ports);
    place_short_labels(&mut routes, edges);
    let (width, height) = extent(&geometry, &order, &routes, edges);
    let mut lanes = lanes;
    if let Some(last) = lanes.last_mut() {
        // The last lane holds the corridor.
        last.1 = last.1.max(width - MARGIN);
    }
    Layout {
        width,
        height,
        nodes: (0..n).map(|i| geometry.center(i)).collect(),
        routes,
        lanes,
    }
}

/// Lays the lanes out side by side from the left margin, each as wide as
/// its content (at least its least width) plus padding, its content
/// centred. Returns the lanes' left and right x.
fn place_lanes(items: &[Item], lane: &[usize], widths: &[f64], x: &mut [f64]) -> Vec<(f64, f64)> {
    let count = widths.len();
    let mut lo = vec![f64::INFINITY; count];
    let mut hi = vec![f64::NEG_INFINITY; count];
    for (i, item) in items.iter().enumerate() {
        lo[lane[i]] = lo[lane[i]].min(x[i] - item.left);
        hi[lane[i]] = hi[lane[i]].max(x[i] + item.right);
    }
    let mut shift = vec![0.0; count];
    let mut bands = Vec::with_capacity(count);
    let mut left = MARGIN;
    for k in 0..count {
        let content = if lo[k].is_finite() {
            hi[k] - lo[k]
        } else {
            0.0
        };
        let inner = content.max(widths[k] - 2.0 * LANE_PAD).max(0.0);
        let width = inner + 2.0 * LANE_PAD;
        if lo[k].is_finite() {
            shift[k] = left + LANE_PAD + (inner - content) / 2.0 - lo[k];
        }
        bands.push((left, left + width));
        left += width;
    }
    for (i, value) in x.iter_mut().enumerate() {
        *value += shift[lane[i]];
    }
    bands
}

/// The items of a layout: the nodes first (item id = node id), then the
/// dummies and labels that carry each edge across the layers it spans; and
/// each edge's chain of items (`None` for self-loops and edges to missing
/// nodes).
fn chains(
    nodes: &[NodeSpec],
    edges: &[EdgeSpec],
    reversed: &[bool],
    layer: &[usize],
) -> (Vec<Item>, Vec<Option<Chain>>) {
    let n = nodes.len();
    let mut items: Vec<Item> = nodes
        .iter()
        .enumerate()
        .map(|(i, spec)| Item {
            kind: ItemKind::Node,
            layer: layer[i],
            left: spec.size.width / 2.0,
            right: spec.size.width / 2.0,
            height: spec.size.height,
        })
        .collect();
    let tracks = corridor_tracks(n, edges, layer);
    let mut chains: Vec<Option<Chain>> = Vec::with_capacity(edges.len());
    for (e, edge) in edges.iter().enumerate() {
        if edge.from == edge.to || edge.from >= n || edge.to >= n {
            chains.push(None);
            continue;
        }
        let (top, bottom) = if reversed[e] {
            (edge.to, edge.from)
        } else {
            (edge.from, edge.to)
        };
        let (lt, lb) = (layer[top], layer[bottom]);
        // The label sits in the layer next to the edge's source.
        let label_layer =
            edge.label
                .filter(|_| lb > lt + 1)
                .map(|_| if reversed[e] { lb - 1 } else { lt + 1 });
        let mut chain = vec![top];
        let mut label_item = None;
        let corridor = tracks[e];
        for l in lt + 1..lb {
            if corridor.is_some() && label_layer != Some(l) {
                continue;
            }
            let id = items.len();
            match (label_layer == Some(l), edge.label) {
                (true, Some(size)) => {
                    label_item = Some(id);
                    items.push(Item {
                        kind: ItemKind::Label,
                        layer: l,
                        left: size.width / 2.0,
                        right: size.width / 2.0,
                        height: size.height,
                    });
                }
                _ => items.push(Item {
                    kind: ItemKind::Dummy,
                    layer: l,
                    left: DUMMY_WIDTH / 2.0,
                    right: DUMMY_WIDTH / 2.0,
                    height: 0.0,
                }),
            }
            chain.push(id);
        }
        chain.push(bottom);
        chains.push(Some(Chain {
            items: chain,
            reversed: reversed[e],
            label_item,
            corridor,
        }));
    }

    (items, chains)
}

/// Which edges run in the corridor, and on which track. Within the dummy
/// budget, none. Past it, the longest edges (ties: the later edge), until
/// the dummies left fit; then tracks by interval partitioning over the
/// layers each spans, in order of the top layer.
fn corridor_tracks(n: usize, edges: &[EdgeSpec], layer: &[usize]) -> Vec<Option<usize>> {
    let mut tracks = vec![None; edges.len()];
    let span = |e: &EdgeSpec| layer[e.from].abs_diff(layer[e.to]);
    let valid = |e: &EdgeSpec| e.from < n && e.to < n && e.from != e.to;
    let mut dummies: usize = edges
        .iter()
        .filter(|e| valid(e))
        .map(|e| span(e).saturating_sub(1))
        .sum();
    let budget = DUMMY_BUDGET_PER_ITEM * (n + edges.len());
    if dummies <= budget {
        return tracks;
    }
    let mut long: Vec<usize> = (0..edges.len())
        .filter(|&e| valid(&edges[e]) && span(&edges[e]) >= 3)
        .collect();
    long.sort_unstable_by_key(|&e| (std::cmp::Reverse(span(&edges[e])), std::cmp::Reverse(e)));
    let mut chosen: Vec<(usize, usize, usize)> = Vec::new(); // (top, bottom, edge)
    for e in long {
        if dummies <= budget {
            break;
        }
        let edge = &edges[e];
        // A labelled edge keeps its label item.
        dummies -= span(edge) - 1 - usize::from(edge.label.is_some());
        let (a, b) = (layer[edge.from], layer[edge.to]);
        chosen.push((a.min(b), a.max(b), e));
    }
    chosen.sort_unstable();
    // Free tracks by the last layer they are busy in, smallest first.
    let mut busy: std::collections::BinaryHeap<std::cmp::Reverse<(usize, usize)>> =
        std::collections::BinaryHeap::new();
    let mut count = 0;
    for (top, bottom, e) in chosen {
        let track = match busy.peek() {
            Some(&std::cmp::Reverse((end, track))) if end < top => {
                busy.pop();
                track
            }
            _ => {
                count += 1;
                count - 1
            }
        };
        busy.push(std::cmp::Reverse((bottom, track)));
        tracks[e] = Some(track);
    }
    tracks
}

/// The segments between adjacent layers, with their attachment offsets.
fn segments(items: &[Item], chains: &[Option<Chain>], ports: &[(Port, Port)]) -> Vec<Segment> {
    let mut segments = Vec::new();
    for (e, chain) in chains.iter().enumerate() {
        let Some(chain) = chain else { continue };
        let last = chain.items.len() - 1;
        for k in 0..last {
            let (upper, lower) = (chain.items[k], chain.items[k + 1]);
            if items[lower].layer > items[upper].layer + 1 {
                // The part of a corridor edge that runs in the corridor.
                continue;
            }
            let mut upper_offset = 0.0;
            let mut lower_offset = 0.0;
            if chain.reversed {
                if k == 0 {
                    upper_offset = ports[e].1.lane;
                }
                if k + 1 == last {
                    lower_offset = ports[e].0.lane;
                }
            }
            let dummies = [upper, lower]
                .iter()
                .filter(|&&i| items[i].kind != ItemKind::Node)
                .count();
            // Dummies of one edge want a straight line; a loop should not
            // pull the procedure's main column sideways.
            let weight = if chain.reversed && dummies < 2 {
                0.2
            } else {
                [1.0, 2.0, 8.0][dummies]
            };
            segments.push(Segment {
                upper,
                lower,
                upper_offset,
                lower_offset,
                weight,
            });
        }
    }

    segments
}

/// Where everything was placed: what routing an edge needs.
struct Geometry<'a> {
    nodes: &'a [NodeSpec],
    items: &'a [Item],
    x: &'a [f64],
    layer_y: &'a [f64],
    layer_h: &'a [f64],
    /// The right end of the items: the corridor's tracks are beyond.
    corridor: f64,
}

impl Geometry<'_> {
    /// The x of a corridor track.
    fn track(&self, track: usize) -> f64 {
        self.corridor + TRACK_GAP * (track as f64 + 1.0)
    }

    fn center(&self, i: usize) -> Point {
        Point {
            x: self.x[i],
            y: self.layer_y[self.items[i].layer],
        }
    }

    /// The top and bottom of a layer.
    fn band(&self, l: usize) -> (f64, f64) {
        (
            self.layer_y[l] - self.layer_h[l] / 2.0,
            self.layer_y[l] + self.layer_h[l] / 2.0,
        )
    }

    /// The x of a node's right side at `dy` from its centre (a diamond's
    /// side is indented towards its top and bottom).
    fn right_at(&self, v: usize, dy: f64) -> f64 {
        let spec = &self.nodes[v];
        let half = spec.size.height / 2.0;
        let inset = if half > 0.0 {
            spec.side_indent * (dy.abs() / half).min(1.0)
        } else {
            0.0
        };
        self.x[v] + spec.size.width / 2.0 - inset
    }
}

/// Ports on the top and bottom of nodes for forward edges, spread in the
/// order of where the edges go, so they do not cross at the node: each
/// edge's horizontal offset at its source and at its target.
fn forward_ports(
    g: &Geometry<'_>,
    edges: &[EdgeSpec],
    chains: &[Option<Chain>],
) -> (Vec<f64>, Vec<f64>) {
    let (nodes, x) = (g.nodes, g.x);
    let n = nodes.len();
    let mut bottom_ports: Vec<Vec<(f64, usize)>> = vec![Vec::new(); n];
    let mut top_ports: Vec<Vec<(f64, usize)>> = vec![Vec::new(); n];
    for (e, chain) in chains.iter().enumerate() {
        let Some(chain) = chain else { continue };
        if chain.reversed {
            continue;
        }
        let len = chain.items.len();
        // A corridor edge goes to its track, right of everything.
        let (next, previous) = match chain.corridor {
            Some(track) => (
                chain.label_item.map_or(g.track(track), |i| x[i]),
                g.track(track),
            ),
            None => (x[chain.items[1]], x[chain.items[len - 2]]),
        };
        bottom_ports[chain.items[0]].push((next, e));
        top_ports[chain.items[len - 1]].push((previous, e));
    }
    let mut out_dx = vec![0.0; edges.len()];
    let mut in_dx = vec![0.0; edges.len()];
    for (v, spec) in nodes.iter().enumerate() {
        let flat = (spec.size.width - 2.0 * spec.side_indent).max(0.0);
        spread(&mut bottom_ports[v], flat, &mut out_dx);
        spread(&mut top_ports[v], flat, &mut in_dx);
    }

    (out_dx, in_dx)
}

/// The route of every edge, in the order of `edges`.
fn route_edges(
    g: &Geometry<'_>,
    edges: &[EdgeSpec],
    chains: &[Option<Chain>],
    ports: &[(Port, Port)],
) -> Vec<Route> {
    let (nodes, items, x, layer_y) = (g.nodes, g.items, g.x, g.layer_y);
    let n = nodes.len();
    let center = |i: usize| g.center(i);
    let band = |l: usize| g.band(l);
    let (out_dx, in_dx) = forward_ports(g, edges, chains);
    let mut routes = Vec::with_capacity(edges.len());
    for (e, edge) in edges.iter().enumerate() {
        if edge.from >= n || edge.to >= n {
            routes.push(Route {
                kind: RouteKind::Forward,
                points: Vec::new(),
                label: None,
            });
            continue;
        }
        let right_at = |v: usize, dy: f64| g.right_at(v, dy);
        let Some(chain) = &chains[e] else {
            // A self-loop: out of the right side, down the lane, back in.
            let v = edge.from;
            let (out, inp) = ports[e];
            let c = center(v);
            let lane = c.x + out.lane;
            let points = vec![
                Point {
                    x: right_at(v, out.dy),
                    y: c.y + out.dy,
                },
                Point {
                    x: lane,
                    y: c.y + out.dy,
                },
                Point {
                    x: lane,
                    y: c.y + inp.dy,
                },
                Point {
                    x: right_at(v, inp.dy),
                    y: c.y + inp.dy,
                },
            ];
            let label = edge.label.map(|size| Point {
                x: lane + 4.0 + size.width / 2.0,
                y: c.y,
            });
            routes.push(Route {
                kind: RouteKind::SelfLoop,
                points,
                label,
            });
            continue;
        };
        let inner = &chain.items[1..chain.items.len() - 1];
        let through = |i: usize, points: &mut Vec<Point>, upward: bool| {
            let (top, bottom) = match items[i].kind {
                ItemKind::Label => {
                    let y = layer_y[items[i].layer];
                    (y - items[i].height / 2.0, y + items[i].height / 2.0)
                }
                _ => band(items[i].layer),
            };
            let (first, second) = if upward { (bottom, top) } else { (top, bottom) };
            points.push(Point { x: x[i], y: first });
            if second != first {
                points.push(Point { x: x[i], y: second });
            }
        };
        let mut points = Vec::with_capacity(inner.len() * 2 + 6);
        if chain.reversed {
            // Source at the bottom, target at the top, both on the right.
            let (src, dst) = (edge.from, edge.to);
            let (out, inp) = ports[e];
            let (cs, cd) = (center(src), center(dst));
            points.push(Point {
                x: right_at(src, out.dy),
                y: cs.y + out.dy,
            });
            points.push(Point {
                x: cs.x + out.lane,
                y: cs.y + out.dy,
            });
            points.push(Point {
                x: cs.x + out.lane,
                y: band(items[src].layer).0,
            });
            for &i in inner.iter().rev() {
                through(i, &mut points, true);
            }
            if let Some(track) = chain.corridor {
                // Up the gap above the last item, along the track, into the
                // gap below the target.
                let last = points[points.len() - 1];
                let offset = track_offset(track);
                let leave = band(items[inner.first().copied().unwrap_or(src)].layer).0 - offset;
                let enter = band(items[dst].layer).1 + offset;
                for (px, py) in [
                    (last.x, leave),
                    (g.track(track), leave),
                    (g.track(track), enter),
                    (cd.x + inp.lane, enter),
                ] {
                    points.push(Point { x: px, y: py });
                }
            }
            points.push(Point {
                x: cd.x + inp.lane,
                y: band(items[dst].layer).1,
            });
            points.push(Point {
                x: cd.x + inp.lane,
                y: cd.y + inp.dy,
            });
            points.push(Point {
                x: right_at(dst, inp.dy),
                y: cd.y + inp.dy,
            });
        } else {
            let (src, dst) = (edge.from, edge.to);
            let (cs, cd) = (center(src), center(dst));
            points.push(Point {
                x: cs.x + out_dx[e],
                y: cs.y + nodes[src].size.height / 2.0,
            });
            for &i in inner {
                through(i, &mut points, false);
            }
            if let Some(track) = chain.corridor {
                // Down into the gap below the last item, along the track,
                // into the gap above the target.
                let last = points[points.len() - 1];
                let offset = track_offset(track);
                let leave = band(items[inner.last().copied().unwrap_or(src)].layer).1 + offset;
                let enter = band(items[dst].layer).0 - offset;
                for (px, py) in [
                    (last.x, leave),
                    (g.track(track), leave),
                    (g.track(track), enter),
                    (cd.x + in_dx[e], enter),
                ] {
                    points.push(Point { x: px, y: py });
                }
            }
            points.push(Point {
                x: cd.x + in_dx[e],
                y: cd.y - nodes[dst].size.height / 2.0,
            });
        }
        routes.push(Route {
            kind: if chain.reversed {
                RouteKind::Back
            } else {
                RouteKind::Forward
            },
            points,
            label: chain.label_item.map(center),
        });
    }

    routes
}

/// How far a corridor edge's sideways run is from the edge of the layer it
/// leaves or enters: tracks side by side use three heights, so that runs in
/// one gap are told apart.
fn track_offset(track: usize) -> f64 {
    3.0 + 2.0 * (track % 3) as f64
}

/// Labels of edges too short for a label layer (only possible for edges
/// that have no room) go at the middle of their first segment.
fn place_short_labels(routes: &mut [Route], edges: &[EdgeSpec]) {
    for (route, edge) in routes.iter_mut().zip(edges) {
        if route.label.is_none() && edge.label.is_some() && route.points.len() >= 2 {
            let (a, b) = (route.points[0], route.points[1]);
            route.label = Some(Point {
                x: (a.x + b.x) / 2.0,
                y: (a.y + b.y) / 2.0,
            });
        }
    }
}

/// The drawing's width and height, margins included.
fn extent(
    g: &Geometry<'_>,
    order: &[Vec<usize>],
    routes: &[Route],
    edges: &[EdgeSpec],
) -> (f64, f64) {
    let (items, x, layer_y, layer_h) = (g.items, g.x, g.layer_y, g.layer_h);
    let width = items
        .iter()
        .enumerate()
        .map(|(i, item)| x[i] + item.right)
        .fold(0.0, f64::max)
        + MARGIN;
    let height = order
        .iter()
        .enumerate()
        .map(|(l, _)| layer_y[l] + layer_h[l] / 2.0)
        .fold(0.0, f64::max)
        + MARGIN;
    // Corridor tracks run right of the items.
    let width = routes
        .iter()
        .flat_map(|r| r.points.iter())
        .map(|p| p.x + MARGIN)
        .fold(width, f64::max);
    // Self-loop labels stick out to the right of their lane.
    let width = routes
        .iter()
        .zip(edges)
        .filter_map(|(r, e)| Some(r.label?.x + e.label?.width / 2.0 + MARGIN))
        .fold(width, f64::max);
    (width, height)
}

/// Depth-first search from `start`, then from every node not reached yet,
/// visiting successors in node order. Returns which edges are back edges.
/// Self-loops are not back edges: they are drawn on their own.
fn back_edges(n: usize, edges: &[EdgeSpec], start: usize) -> Vec<bool> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (e, edge) in edges.iter().enumerate() {
        if edge.from < n && edge.to < n && edge.from != edge.to {
            out[edge.from].push(e);
        }
    }
    for list in &mut out {
        list.sort_by_key(|&e| (edges[e].to, e));
    }
    let mut reversed = vec![false; edges.len()];
    // 0: not visited, 1: on the stack, 2: done.
    let mut state = vec![0u8; n];
    let roots = std::iter::once(start.min(n - 1)).chain(0..n);
    for root in roots {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(top) = stack.last_mut() {
            let (v, next) = *top;
            if let Some(&e) = out[v].get(next) {
                top.1 += 1;
                let w = edges[e].to;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => reversed[e] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    reversed
}

/// Longest-path layering of the DAG (back edges reversed). A labelled edge
/// has minimum length 2. Kahn's algorithm in node order.
fn assign_layers(n: usize, edges: &[EdgeSpec], reversed: &[bool], start: usize) -> Vec<usize> {
    let mut out: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    let mut indegree = vec![0usize; n];
    for (e, edge) in edges.iter().enumerate() {
        if edge.from >= n || edge.to >= n || edge.from == edge.to {
            continue;
        }
        let (a, b) = if reversed[e] {
            (edge.to, edge.from)
        } else {
            (edge.from, edge.to)
        };
        let min_len = if edge.label.is_some() { 2 } else { 1 };
        out[a].push((b, min_len));
        indegree[b] += 1;
    }
    let mut layer = vec![0usize; n];
    let mut queued = vec![false; n];
    let mut queue = std::collections::VecDeque::new();
    for v in std::iter::once(start.min(n - 1)).chain(0..n) {
        if indegree[v] == 0 && !queued[v] {
            queued[v] = true;
            queue.push_back(v);
        }
    }
    while let Some(v) = queue.pop_front() {
        for &(w, min_len) in &out[v] {
            layer[w] = layer[w].max(layer[v] + min_len);
            indegree[w] -= 1;
            if indegree[w] == 0 && !queued[w] {
                queued[w] = true;
                queue.push_back(w);
            }
        }
    }
    layer
}

/// Lanes on the right of every node for the back edges and self-loops that
/// attach there, and the ports where they attach. Returns each edge's
/// (source port, target port) and each node's extra right extent.
fn right_ports(
    nodes: &[NodeSpec],
    edges: &[EdgeSpec],
    chains: &[Option<Chain>],
    layer: &[usize],
) -> (Vec<(Port, Port)>, Vec<f64>) {
    #[derive(Clone, Copy)]
    enum Attach {
        /// The lane runs up from here (the node is a back edge's source).
        Up,
        /// A self-loop: both ends.
        Loop,
        /// The lane runs down from here (the node is a back edge's target).
        Down,
    }
    let n = nodes.len();
    let mut attached: Vec<Vec<(usize, usize, Attach)>> = vec![Vec::new(); n];
    for (e, edge) in edges.iter().enumerate() {
        if edge.from >= n || edge.to >= n {
            continue;
        }
        if edge.from == edge.to {
            attached[edge.from].push((0, e, Attach::Loop));
        } else if chains[e].as_ref().is_some_and(|c| c.reversed) {
            let span = layer[edge.from] - layer[edge.to];
            attached[edge.from].push((span, e, Attach::Up));
            attached[edge.to].push((span, e, Attach::Down));
        }
    }
    let mut ports = vec![(Port::default(), Port::default()); edges.len()];
    let mut extents = vec![0.0; n];
    for (v, list) in attached.iter_mut().enumerate() {
        if list.is_empty() {
            continue;
        }
        // Short loops run in the inner lanes, long ones further out.
        list.sort_by_key(|&(span, e, _)| (span, e));
        let half = nodes[v].size.width / 2.0;
        let lane_of = |k: usize| half + LANE_GAP * (k as f64 + 1.0);
        // Top to bottom: lanes going up (inner first), self-loops, lanes
        // going down (outer first). Then no lane crosses another here.
        let mut slots: Vec<(usize, usize, bool)> = Vec::new(); // (lane k, edge, is source end)
        for (k, &(_, e, a)) in list.iter().enumerate() {
            if let Attach::Up = a {
                slots.push((k, e, true));
            }
        }
        for (k, &(_, e, a)) in list.iter().enumerate() {
            if let Attach::Loop = a {
                slots.push((k, e, true));
            }
        }
        for (k, &(_, e, a)) in list.iter().enumerate() {
            if let Attach::Loop = a {
                slots.push((k, e, false));
            }
        }
        for (k, &(_, e, a)) in list.iter().enumerate().rev() {
            if let Attach::Down = a {
                slots.push((k, e, false));
            }
        }
        let room = (nodes[v].size.height - 8.0).max(0.0);
        let gap = if slots.len() > 1 {
            PORT_GAP.min(room / (slots.len() - 1) as f64)
        } else {
            0.0
        };
        let middle = (slots.len() as f64 - 1.0) / 2.0;
        for (s, &(k, e, source_end)) in slots.iter().enumerate() {
            let port = Port {
                lane: lane_of(k),
                dy: (s as f64 - middle) * gap,
            };
            if source_end {
                ports[e].0 = port;
            } else {
                ports[e].1 = port;
            }
        }
        let mut extent = LANE_GAP * list.len() as f64;
        for &(_, e, a) in list.iter() {
            if let (Attach::Loop, Some(size)) = (a, edges[e].label) {
                extent = extent.max(LANE_GAP * list.len() as f64 + 4.0 + size.width);
            }
        }
        extents[v] = extent;
    }
    (ports, extents)
}

/// Spreads the ports of one side of a node over its flat part, in the
/// order of the x of the other ends.
fn spread(ports: &mut [(f64, usize)], flat: f64, dx: &mut [f64]) {
    if ports.len() < 2 {
        return;
    }
    ports.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let step = PORT_SPREAD.min(flat / (ports.len() as f64 + 1.0));
    let middle = (ports.len() as f64 - 1.0) / 2.0;
    for (k, &(_, e)) in ports.iter().enumerate() {
        dx[e] = (k as f64 - middle) * step;
    }
}

/// Orders the items of every layer to reduce crossings: barycenter sweeps
/// down and up, keeping the best order seen.
fn order_layers(
    items: &[Item],
    lane: &[usize],
    layer_count: usize,
    segments: &[Segment],
    up: &[Vec<usize>],
    down: &[Vec<usize>],
    effort: Effort,
) -> Vec<Vec<usize>> {
    let mut order: Vec<Vec<usize>> = vec![Vec::new(); layer_count];
    for (i, item) in items.iter().enumerate() {
        order[item.layer].push(i);
    }
    // Each lane's items together, lanes left to right.
    for layer in &mut order {
        layer.sort_by_key(|&i| lane[i]);
    }
    let mut pos = vec![0usize; items.len()];
    let reindex = |order: &[Vec<usize>], pos: &mut [usize]| {
        for layer in order {
            for (p, &i) in layer.iter().enumerate() {
                pos[i] = p;
            }
        }
    };
    reindex(&order, &mut pos);
    let mut best = order.clone();
    let mut best_crossings = crossings(&order, segments, &pos, up);
    let mut keys: Vec<f64> = vec![0.0; items.len()];
    for iteration in 0..effort.order {
        if best_crossings == 0 && iteration > 0 {
            break;
        }
        for downward in [true, false] {
            let layers: Vec<usize> = if downward {
                (1..layer_count).collect()
            } else {
                (0..layer_count.saturating_sub(1)).rev().collect()
            };
            for l in layers {
                for &i in &order[l] {
                    let links = if downward { &up[i] } else { &down[i] };
                    let mut sum = 0.0;
                    for &s in links {
                        let seg = &segments[s];
                        // A loop lane attaches to the right of its node.
                        let (other, offset) = if downward {
                            (seg.upper, seg.upper_offset)
                        } else {
                            (seg.lower, seg.lower_offset)
                        };
                        sum += pos[other] as f64 + if offset != 0.0 { 0.5 } else { 0.0 };
                    }
                    keys[i] = if links.is_empty() {
                        pos[i] as f64
                    } else {
                        sum / links.len() as f64
                    };
                }
                order[l].sort_by(|&a, &b| {
                    lane[a]
                        .cmp(&lane[b])
                        .then(keys[a].total_cmp(&keys[b]))
                        .then(pos[a].cmp(&pos[b]))
                });
                for (p, &i) in order[l].iter().enumerate() {
                    pos[i] = p;
                }
            }
        }
        let count = crossings(&order, segments, &pos, up);
        if count < best_crossings {
            best_crossings = count;
            best = order.clone();
        }
    }
    best
}

/// The number of crossings on the way into every layer.
fn crossings(order: &[Vec<usize>], segments: &[Segment], pos: &[usize], up: &[Vec<usize>]) -> u64 {
    let mut scratch = Vec::new();
    order
        .iter()
        .map(|layer| layer_crossings(layer, segments, pos, up, &mut scratch))
        .sum()
}

/// The number of crossing pairs among the segments that end in `layer`
/// from above: inversions counted with a Fenwick tree, O(E log V).
fn layer_crossings(
    layer: &[usize],
    segments: &[Segment],
    pos: &[usize],
    up: &[Vec<usize>],
    pairs: &mut Vec<(usize, usize)>,
) -> u64 {
    pairs.clear();
    // Positions doubled, plus one for a loop lane right of its node.
    let at = |i: usize, offset: f64| 2 * pos[i] + usize::from(offset != 0.0);
    for &i in layer {
        pairs.extend(up[i].iter().map(|&s| {
            let seg = &segments[s];
            (
                at(seg.upper, seg.upper_offset),
                at(seg.lower, seg.lower_offset),
            )
        }));
    }
    if pairs.len() < 2 {
        return 0;
    }
    pairs.sort_unstable();
    let size = pairs.iter().map(|p| p.1).max().unwrap_or(0) + 2;
    let mut tree = vec![0u64; size + 1];
    let mut total = 0u64;
    for (seen, &(_, lower)) in pairs.iter().enumerate() {
        // Count earlier segments whose lower end is further right.
        let mut not_greater = 0u64;
        let mut i = lower + 1;
        while i > 0 {
            not_greater += tree[i];
            i -= i & i.wrapping_neg();
        }
        total += seen as u64 - not_greater;
        let mut i = lower + 1;
        while i <= size {
            tree[i] += 1;
            i += i & i.wrapping_neg();
        }
    }
    total
}

/// Moves the lane of every loop to the right end of the layers it passes
/// (of its swimlane's part of them), shortest loops first (so longer ones
/// run further out), unless that adds crossings. Barycenters alone tend to
/// thread a lane through the middle of the drawing, where it crosses the
/// forward edges of its target. Each try recounts the crossings of the
/// layers the loop passes; the tries stop when they have looked at
/// `effort.loop_work` times the items and segments of the graph, so a
/// graph of many long loops stays linear.
fn loops_to_the_right(
    order: &mut [Vec<usize>],
    chains: &[Option<Chain>],
    segments: &[Segment],
    up: &[Vec<usize>],
    items: &[Item],
    lane: &[usize],
    effort: Effort,
) {
    let mut pos = vec![0usize; items.len()];
    for layer in order.iter() {
        for (p, &i) in layer.iter().enumerate() {
            pos[i] = p;
        }
    }
    let pos = &mut pos[..];
    let mut loops: Vec<(usize, usize)> = chains
        .iter()
        .enumerate()
        .filter_map(|(e, c)| {
            let c = c.as_ref()?;
            (c.reversed && c.corridor.is_none() && c.items.len() > 2).then_some((c.items.len(), e))
        })
        .collect();
    loops.sort_unstable();
    let mut budget = effort.loop_work * (items.len() + segments.len());
    let mut scratch = Vec::new();
    for (_, e) in loops {
        let Some(chain) = &chains[e] else { continue };
        let inner = &chain.items[1..chain.items.len() - 1];
        let first = items[chain.items[0]].layer + 1;
        let last = items[chain.items[chain.items.len() - 1]].layer;
        // Two counts and the moves, each over the layers passed.
        let cost: usize = (first..=last)
            .map(|l| order[l].iter().map(|&i| 1 + up[i].len()).sum::<usize>())
            .sum::<usize>()
            * 3;
        if cost > budget {
            break;
        }
        budget -= cost;
        let count =
            |order: &[Vec<usize>], pos: &[usize], scratch: &mut Vec<(usize, usize)>| -> u64 {
                (first..=last)
                    .map(|l| layer_crossings(&order[l], segments, pos, up, scratch))
                    .sum()
            };
        let before = count(order, pos, &mut scratch);
        let saved: Vec<Vec<usize>> = inner
            .iter()
            .map(|&i| order[items[i].layer].clone())
            .collect();
        for &i in inner {
            let layer = &mut order[items[i].layer];
            layer.retain(|&j| j != i);
            // After the last item of its lane.
            let at = layer.partition_point(|&j| lane[j] <= lane[i]);
            layer.insert(at, i);
            for (p, &j) in layer.iter().enumerate() {
                pos[j] = p;
            }
        }
        if count(order, pos, &mut scratch) > before {
            for (&i, layer) in inner.iter().zip(saved) {
                let l = items[i].layer;
                order[l] = layer;
                for (p, &j) in order[l].iter().enumerate() {
                    pos[j] = p;
                }
            }
        }
    }
}

/// Horizontal coordinates: start packed, then pull every item toward its
/// neighbours (along the segments that `pull`), one row at a time (a layer,
/// or a lane of a layer, top to bottom), alternating directions.
fn assign_x(
    items: &[Item],
    rows: &[Vec<usize>],
    segments: &[Segment],
    pull: &[bool],
    up: &[Vec<usize>],
    down: &[Vec<usize>],
    effort: Effort,
) -> Vec<f64> {
    let order = rows;
    let mut x = vec![0.0; items.len()];
    for layer in order {
        let mut cursor = 0.0;
        for (p, &i) in layer.iter().enumerate() {
            if p > 0 {
                cursor += gap(&items[layer[p - 1]], &items[i]);
            }
            cursor += items[i].left;
            x[i] = cursor;
            cursor += items[i].right;
        }
    }
    let layer_count = order.len();
    let mut desired: Vec<f64> = Vec::new();
    let mut weights: Vec<f64> = Vec::new();
    for iteration in 0..effort.coordinates {
        // Down, up, down, … and both directions at once for the last two.
        let (use_up, use_down) = if iteration + 2 >= effort.coordinates {
            (true, true)
        } else {
            (iteration % 2 == 0, iteration % 2 == 1)
        };
        let layers: Vec<usize> = if use_up {
            (0..layer_count).collect()
        } else {
            (0..layer_count).rev().collect()
        };
        for l in layers {
            let layer = &order[l];
            desired.clear();
            weights.clear();
            for &i in layer {
                let mut sum = 0.0;
                let mut weight = 0.0;
                if use_up {
                    for &s in up[i].iter().filter(|&&s| pull[s]) {
                        let seg = &segments[s];
                        sum += seg.weight * (x[seg.upper] + seg.upper_offset - seg.lower_offset);
                        weight += seg.weight;
                    }
                }
                if use_down {
                    for &s in down[i].iter().filter(|&&s| pull[s]) {
                        let seg = &segments[s];
                        sum += seg.weight * (x[seg.lower] + seg.lower_offset - seg.upper_offset);
                        weight += seg.weight;
                    }
                }
                if weight > 0.0 {
                    desired.push(sum / weight);
                    weights.push(weight);
                } else {
                    desired.push(x[i]);
                    weights.push(0.05);
                }
            }
            place_layer(items, layer, &desired, &weights, &mut x);
        }
    }
    // Shift so that the leftmost extent is at the margin.
    let min = items
        .iter()
        .enumerate()
        .map(|(i, item)| x[i] - item.left)
        .fold(f64::INFINITY, f64::min);
    for v in &mut x {
        *v += MARGIN - min;
    }
    x
}

/// Puts the dummies of each edge on one vertical line where the layers
/// leave room for it, preferably under the edge's attachment to its source
/// or target. Where no single line fits, the edge is split into as few
/// straight runs as possible. Long edges and loop lanes then run straight
/// instead of wandering from layer to layer.
fn straighten(
    items: &[Item],
    lane: &[usize],
    rows: &[Vec<usize>],
    chains: &[Option<Chain>],
    ports: &[(Port, Port)],
    x: &mut [f64],
) {
    let mut pos = vec![0usize; items.len()];
    let mut row_of = vec![0usize; items.len()];
    for (r, row) in rows.iter().enumerate() {
        for (p, &i) in row.iter().enumerate() {
            pos[i] = p;
            row_of[i] = r;
        }
    }
    // The room an item has between its neighbours in its row.
    let room = |i: usize, x: &[f64]| {
        let layer = &rows[row_of[i]];
        let p = pos[i];
        let lo = match p {
            0 => f64::NEG_INFINITY,
            _ => {
                let prev = layer[p - 1];
                x[prev] + items[prev].right + gap(&items[prev], &items[i]) + items[i].left
            }
        };
        let hi = match layer.get(p + 1) {
            None => f64::INFINITY,
            Some(&next) => {
                x[next] - items[next].left - gap(&items[i], &items[next]) - items[i].right
            }
        };
        (lo, hi)
    };
    for _ in 0..2 {
        for (e, chain) in chains.iter().enumerate() {
            let Some(chain) = chain else { continue };
            let last = chain.items.len() - 1;
            let inner = &chain.items[1..last];
            if inner.is_empty() {
                continue;
            }
            let (top, bottom) = (chain.items[0], chain.items[last]);
            let (top_x, bottom_x) = if chain.reversed {
                (x[top] + ports[e].1.lane, x[bottom] + ports[e].0.lane)
            } else {
                (x[top], x[bottom])
            };
            // Greedy maximal runs whose rooms overlap.
            let mut start = 0;
            while start < inner.len() {
                let (mut lo, mut hi) = room(inner[start], x);
                let mut end = start + 1;
                while end < inner.len() {
                    let (l, h) = room(inner[end], x);
                    if l.max(lo) > h.min(hi) {
                        break;
                    }
                    lo = lo.max(l);
                    hi = hi.min(h);
                    end += 1;
                }
                let run = &inner[start..end];
                let mut xs: Vec<f64> = run.iter().map(|&i| x[i]).collect();
                xs.sort_by(f64::total_cmp);
                let median = xs[xs.len() / 2];
                // An end in another swimlane is placed in other coordinates.
                let (near_top, near_bottom) = (
                    start == 0 && lane[top] == lane[run[0]],
                    end == inner.len() && lane[bottom] == lane[run[0]],
                );
                let preferred = if chain.reversed {
                    [(near_bottom, bottom_x), (near_top, top_x)]
                } else {
                    [(near_top, top_x), (near_bottom, bottom_x)]
                };
                let value = preferred
                    .iter()
                    .find(|&&(near, v)| near && v >= lo - 0.01 && v <= hi + 0.01)
                    .map_or(median.clamp(lo.min(hi), hi), |&(_, v)| v);
                for &i in run {
                    x[i] = value;
                }
                start = end;
            }
        }
    }
}

/// Top down, moves every node with a single forward edge from above right
/// under that neighbour (a node, or the label or dummy of a longer edge),
/// where its layer leaves room: a run of steps becomes a straight column.
/// The closest candidates move first.
fn align_columns(
    items: &[Item],
    order: &[Vec<usize>],
    segments: &[Segment],
    pull: &[bool],
    up: &[Vec<usize>],
    chains: &[Option<Chain>],
    x: &mut [f64],
) {
    // Segments of loops do not count: they attach at the side.
    let mut loop_item = vec![false; items.len()];
    for chain in chains.iter().flatten() {
        if chain.reversed {
            for &i in &chain.items[1..chain.items.len() - 1] {
                loop_item[i] = true;
            }
        }
    }
    let forward = |s: &Segment| s.upper_offset == 0.0 && s.lower_offset == 0.0;
    for layer in order {
        let mut moves: Vec<(f64, usize, f64)> = Vec::new();
        for (p, &i) in layer.iter().enumerate() {
            // Dummies and labels follow their edge (see `straighten`).
            if items[i].kind != ItemKind::Node {
                continue;
            }
            let ups: Vec<&Segment> = up[i]
                .iter()
                .filter(|&&s| pull[s])
                .map(|&s| &segments[s])
                .filter(|s| forward(s) && !loop_item[s.upper])
                .collect();
            if let [only] = ups.as_slice() {
                let target = x[only.upper];
                moves.push(((x[i] - target).abs(), p, target));
            }
        }
        moves.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (_, p, target) in moves {
            try_move(items, layer, p, target, x);
        }
    }
}

/// Moves the item at position `p` of a layer to `target`, pushing the
/// dummies and labels in the way aside. Gives up (changing nothing) when a
/// node is in the way, or more than [`PUSH_LIMIT`] items on one side.
fn try_move(items: &[Item], layer: &[usize], p: usize, target: f64, x: &mut [f64]) -> bool {
    let mut moved: Vec<(usize, f64)> = vec![(layer[p], target)];
    let mut edge = target;
    let mut current = layer[p];
    for (pushed, &next) in layer[p + 1..].iter().enumerate() {
        let min =
            edge + items[current].right + gap(&items[current], &items[next]) + items[next].left;
        if x[next] + 0.01 >= min {
            break;
        }
        if items[next].kind == ItemKind::Node || pushed == PUSH_LIMIT {
            return false;
        }
        moved.push((next, min));
        edge = min;
        current = next;
    }
    let mut edge = target;
    let mut current = layer[p];
    for (pushed, &prev) in layer[..p].iter().rev().enumerate() {
        let max =
            edge - items[current].left - gap(&items[prev], &items[current]) - items[prev].right;
        if x[prev] <= max + 0.01 {
            break;
        }
        if items[prev].kind == ItemKind::Node || pushed == PUSH_LIMIT {
            return false;
        }
        moved.push((prev, max));
        edge = max;
        current = prev;
    }
    for (i, value) in moved {
        x[i] = value;
    }
    true
}

fn gap(a: &Item, b: &Item) -> f64 {
    if a.kind == ItemKind::Node && b.kind == ItemKind::Node {
        NODE_GAP
    } else {
        DUMMY_GAP
    }
}

/// Places one layer as close as possible (least weighted squares) to the
/// desired positions while keeping its order and spacing: isotonic
/// regression by pooling adjacent violators, O(layer).
fn place_layer(items: &[Item], layer: &[usize], desired: &[f64], weights: &[f64], x: &mut [f64]) {
    // offset[p]: the minimum distance of item p's centre from item 0's.
    let mut offsets = Vec::with_capacity(layer.len());
    let mut offset = 0.0;
    for (p, &i) in layer.iter().enumerate() {
        if p > 0 {
            let prev = &items[layer[p - 1]];
            offset += prev.right + gap(prev, &items[i]) + items[i].left;
        }
        offsets.push(offset);
    }
    // Blocks of pooled items: (weighted sum, weight, count).
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(layer.len());
    for p in 0..layer.len() {
        let target = desired[p] - offsets[p];
        blocks.push((target * weights[p], weights[p], 1));
        while blocks.len() >= 2 {
            let (s2, w2, c2) = blocks[blocks.len() - 1];
            let (s1, w1, c1) = blocks[blocks.len() - 2];
            if s1 / w1 <= s2 / w2 {
                break;
            }
            blocks.pop();
            let last = blocks.len() - 1;
            blocks[last] = (s1 + s2, w1 + w2, c1 + c2);
        }
    }
    let mut p = 0;
    for (sum, weight, count) in blocks {
        let value = sum / weight;
        for _ in 0..count {
            x[layer[p]] = value + offsets[p];
            p += 1;
        }
    }
}

/// Vertical centres and heights of the layers. Layers with nodes are
/// further apart than layers holding only labels and dummies.
fn assign_y(
    items: &[Item],
    order: &[Vec<usize>],
    segments: &[Segment],
    x: &[f64],
) -> (Vec<f64>, Vec<f64>) {
    // Edges that travel far sideways between two layers get more room, so
    // the curves of a wide fan do not run flat on top of each other.
    let mut sideways = vec![0.0f64; order.len()];
    for seg in segments {
        let dx = (x[seg.upper] + seg.upper_offset - x[seg.lower] - seg.lower_offset).abs();
        let l = items[seg.lower].layer;
        sideways[l] = sideways[l].max(dx);
    }
    let heights: Vec<f64> = order
        .iter()
        .map(|layer| layer.iter().map(|&i| items[i].height).fold(0.0, f64::max))
        .collect();
    let has_node: Vec<bool> = order
        .iter()
        .map(|layer| layer.iter().any(|&i| items[i].kind == ItemKind::Node))
        .collect();
    let mut ys = Vec::with_capacity(order.len());
    let mut top = MARGIN;
    for l in 0..order.len() {
        if l > 0 {
            top += if has_node[l] && has_node[l - 1] {
                RANK_GAP
            } else {
                RANK_GAP_SMALL
            } + (sideways[l] * 0.06).min(24.0);
        }
        ys.push(top + heights[l] / 2.0);
        top += heights[l];
    }
    (ys, heights)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node() -> NodeSpec {
        NodeSpec {
            size: Size {
                width: 160.0,
                height: 44.0,
            },
            side_indent: 0.0,
            lane: 0,
        }
    }

    fn label() -> Option<Size> {
        Some(Size {
            width: 60.0,
            height: 18.0,
        })
    }

    /// Items of one layer never overlap: nodes and label boxes.
    fn assert_no_overlaps(nodes: &[NodeSpec], edges: &[EdgeSpec], result: &Layout) {
        let mut boxes: Vec<(f64, f64, f64, f64)> = nodes
            .iter()
            .zip(&result.nodes)
            .map(|(s, c)| {
                let (w, h) = (s.size.width / 2.0, s.size.height / 2.0);
                (c.x - w, c.y - h, c.x + w, c.y + h)
            })
            .collect();
        for (edge, route) in edges.iter().zip(&result.routes) {
            if let (Some(size), Some(c)) = (edge.label, route.label) {
                let (w, h) = (size.width / 2.0, size.height / 2.0);
                boxes.push((c.x - w, c.y - h, c.x + w, c.y + h));
            }
        }
        let mut sorted: Vec<usize> = (0..boxes.len()).collect();
        sorted.sort_by(|&a, &b| boxes[a].0.total_cmp(&boxes[b].0));
        for (k, &a) in sorted.iter().enumerate() {
            for &b in &sorted[k + 1..] {
                if boxes[b].0 >= boxes[a].2 - 0.01 {
                    break;
                }
                let overlap_y = boxes[a].1 < boxes[b].3 - 0.01 && boxes[b].1 < boxes[a].3 - 0.01;
                assert!(
                    !overlap_y,
                    "boxes {a} and {b} overlap: {:?} {:?}",
                    boxes[a], boxes[b]
                );
            }
        }
    }

    #[test]
    fn a_chain_is_a_straight_column() {
        let nodes = vec![node(); 4];
        let edges: Vec<EdgeSpec> = (0..3)
            .map(|i| EdgeSpec {
                from: i,
                to: i + 1,
                label: None,
            })
            .collect();
        let result = layout(&nodes, &edges, 0);
        for w in result.nodes.windows(2) {
            assert_eq!(w[0].x, w[1].x);
            assert!(w[1].y > w[0].y);
        }
        assert!(result.routes.iter().all(|r| r.kind == RouteKind::Forward));
    }

    #[test]
    fn loops_are_back_edges_on_the_right() {
        // 0 -> 1 -> 2 -(yes)-> 3, 2 -(no)-> 1
        let nodes = vec![node(); 4];
        let edges = vec![
            EdgeSpec {
                from: 0,
                to: 1,
                label: None,
            },
            EdgeSpec {
                from: 1,
                to: 2,
                label: None,
            },
            EdgeSpec {
                from: 2,
                to: 3,
                label: label(),
            },
            EdgeSpec {
                from: 2,
                to: 1,
                label: label(),
            },
        ];
        let result = layout(&nodes, &edges, 0);
        assert_eq!(result.routes[3].kind, RouteKind::Back);
        let route = &result.routes[3];
        let first = route.points[0];
        let last = *route.points.last().unwrap();
        assert!(first.x >= result.nodes[2].x + 80.0 - 0.01);
        assert!(last.x >= result.nodes[1].x + 80.0 - 0.01);
        assert!(route
            .points
            .iter()
            .all(|p| p.x >= result.nodes[1].x + 80.0 - 0.01));
        assert_no_overlaps(&nodes, &edges, &result);
    }

    #[test]
    fn self_loops_get_a_lane() {
        let nodes = vec![node(); 2];
        let edges = vec![
            EdgeSpec {
                from: 0,
                to: 0,
                label: label(),
            },
            EdgeSpec {
                from: 0,
                to: 1,
                label: label(),
            },
        ];
        let result = layout(&nodes, &edges, 0);
        assert_eq!(result.routes[0].kind, RouteKind::SelfLoop);
        assert!(result.width >= result.routes[0].label.unwrap().x + 30.0);
    }

    /// 500 steps, a decision every third step with a forward option, a
    /// loop back and a long jump, and a hand-off: completes quickly.
    fn big_graph(steps: usize) -> (Vec<NodeSpec>, Vec<EdgeSpec>) {
        let mut nodes = vec![node(); steps];
        let mut edges = Vec::new();
        for i in 0..steps {
            if i + 1 < steps {
                edges.push(EdgeSpec {
                    from: i,
                    to: i + 1,
                    label: (i % 3 == 2).then(label).flatten(),
                });
            }
            if i % 3 == 2 {
                edges.push(EdgeSpec {
                    from: i,
                    to: i.saturating_sub(4 + i % 7),
                    label: label(),
                });
                edges.push(EdgeSpec {
                    from: i,
                    to: (i + 5 + i % 11).min(steps - 1),
                    label: label(),
                });
                if i % 9 == 2 {
                    nodes.push(node());
                    edges.push(EdgeSpec {
                        from: i,
                        to: nodes.len() - 1,
                        label: label(),
                    });
                }
            }
        }
        (nodes, edges)
    }

    #[test]
    fn five_hundred_steps_with_loops_lay_out_fast() {
        let (nodes, edges) = big_graph(500);
        let started = std::time::Instant::now();
        let result = layout(&nodes, &edges, 0);
        let elapsed = started.elapsed();
        assert_eq!(result.nodes.len(), nodes.len());
        assert_eq!(result.routes.len(), edges.len());
        assert!(result.routes.iter().any(|r| r.kind == RouteKind::Back));
        assert!(result.width.is_finite() && result.height.is_finite());
        assert_no_overlaps(&nodes, &edges, &result);
        assert!(elapsed.as_secs() < 5, "took {elapsed:?}");
    }

    #[test]
    fn twenty_six_chained_decisions() {
        // a -> b -> … -> z, each a decision: yes to the next, no back to the
        // first, and the last to the end node.
        let count = 26;
        let nodes = vec![node(); count + 1];
        let mut edges = Vec::new();
        for i in 0..count {
            edges.push(EdgeSpec {
                from: i,
                to: i + 1,
                label: label(),
            });
            if i > 0 {
                edges.push(EdgeSpec {
                    from: i,
                    to: 0,
                    label: label(),
                });
            }
        }
        let result = layout(&nodes, &edges, 0);
        for w in result.nodes.windows(2) {
            assert!(w[1].y > w[0].y, "each decision is below the previous one");
        }
        assert_eq!(
            result
                .routes
                .iter()
                .filter(|r| r.kind == RouteKind::Back)
                .count(),
            count - 1
        );
        assert_no_overlaps(&nodes, &edges, &result);
    }

    /// Every node to two random nodes and to the next one, labelled like
    /// decisions' options; `lanes` lanes assigned at random.
    fn random_graph(steps: usize, lanes: usize) -> (Vec<NodeSpec>, Vec<EdgeSpec>) {
        let mut state: u64 = 0x5EED;
        let mut next = |bound: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as usize) % bound
        };
        let nodes: Vec<NodeSpec> = (0..steps)
            .map(|_| NodeSpec {
                lane: if lanes > 1 { next(lanes) } else { 0 },
                ..node()
            })
            .collect();
        let mut edges = Vec::new();
        for i in 0..steps {
            for _ in 0..2 {
                edges.push(EdgeSpec {
                    from: i,
                    to: next(steps),
                    label: label(),
                });
            }
            if i + 1 < steps {
                edges.push(EdgeSpec {
                    from: i,
                    to: i + 1,
                    label: None,
                });
            }
        }
        (nodes, edges)
    }

    /// Every route starts on its source's outline and ends on its target's.
    fn assert_routes_attach(nodes: &[NodeSpec], edges: &[EdgeSpec], result: &Layout) {
        let on = |v: usize, p: Point| {
            let c = result.nodes[v];
            let (w, h) = (nodes[v].size.width / 2.0, nodes[v].size.height / 2.0);
            (p.x - c.x).abs() <= w + 0.05 && (p.y - c.y).abs() <= h + 0.05
        };
        for (e, (edge, route)) in edges.iter().zip(&result.routes).enumerate() {
            let (first, last) = (route.points[0], route.points[route.points.len() - 1]);
            assert!(on(edge.from, first), "edge {e} starts off its source");
            assert!(on(edge.to, last), "edge {e} ends off its target");
        }
    }

    #[test]
    fn long_edges_past_the_dummy_budget_take_the_corridor() {
        let (nodes, edges) = random_graph(2_000, 1);
        let result = layout(&nodes, &edges, 0);
        let right = nodes
            .iter()
            .zip(&result.nodes)
            .map(|(s, c)| c.x + s.size.width / 2.0)
            .fold(0.0, f64::max);
        let in_corridor = result
            .routes
            .iter()
            .filter(|r| r.points.iter().any(|p| p.x > right + 0.5))
            .count();
        assert!(in_corridor > 0, "no edge in the corridor");
        assert!(result.width > right);
        assert_routes_attach(&nodes, &edges, &result);
        assert_no_overlaps(&nodes, &edges, &result);
        // Each route is a bounded number of points, not one per layer.
        let points: usize = result.routes.iter().map(|r| r.points.len()).sum();
        assert!(
            points <= 2 * (DUMMY_BUDGET_PER_ITEM + 8) * (nodes.len() + edges.len()),
            "{points} points"
        );
    }

    #[test]
    fn a_small_graph_has_no_corridor() {
        let (nodes, edges) = big_graph(60);
        let corridor: usize = {
            let layer = assign_layers(nodes.len(), &edges, &back_edges(nodes.len(), &edges, 0), 0);
            corridor_tracks(nodes.len(), &edges, &layer)
                .iter()
                .filter(|t| t.is_some())
                .count()
        };
        assert_eq!(corridor, 0);
    }

    #[test]
    fn nodes_stay_inside_their_lanes() {
        let lanes = 5;
        let (nodes, edges) = random_graph(120, lanes);
        let widths = vec![200.0; lanes];
        let result = layout_in_lanes(&nodes, &edges, 0, &widths);
        assert_eq!(result.lanes.len(), lanes);
        for pair in result.lanes.windows(2) {
            assert!(pair[0].1 <= pair[1].0 + 0.01, "lanes overlap: {pair:?}");
        }
        for (k, lane) in result.lanes.iter().enumerate() {
            assert!(
                lane.1 - lane.0 >= 200.0 - 0.01,
                "lane {k} is narrower than asked"
            );
        }
        for (v, (spec, c)) in nodes.iter().zip(&result.nodes).enumerate() {
            let (left, right) = result.lanes[spec.lane];
            let w = spec.size.width / 2.0;
            assert!(
                left <= c.x - w + 0.01 && c.x + w <= right + 0.01,
                "node {v} of lane {} at {} outside {left}..{right}",
                spec.lane,
                c.x
            );
        }
        assert_routes_attach(&nodes, &edges, &result);
        assert_no_overlaps(&nodes, &edges, &result);
        // One lane is no lanes.
        assert!(layout_in_lanes(&nodes, &edges, 0, &[100.0])
            .lanes
            .is_empty());
    }

    #[test]
    fn deterministic() {
        let (nodes, edges) = big_graph(60);
        let a = layout(&nodes, &edges, 0);
        let b = layout(&nodes, &edges, 0);
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }
}
