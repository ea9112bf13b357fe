//! The JSON form of the model, written field by field, and the hashes that
//! identify an SOP and each of its steps by meaning (docs/workflow-json.md).
//!
//! One definition of the key order serves three forms: the plain model
//! (what [`Workflow::hash`] hashes, and what run records have always
//! hashed as `sop_hash`), a node without its position (what a node's hash
//! covers), and the document `sop render --to json` writes, with `hash`
//! after `format_version` and a `hash` last in every node. The structs are
//! destructured without `..`, so a new field cannot be forgotten here.

use std::collections::HashMap;

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use super::{Edge, Node, Workflow};
use crate::runs::sha256_hex;

impl Workflow {
    /// The SHA-256 of the SOP's meaning, in lowercase hex: of the model's
    /// compact JSON, without any hash. The model holds no positions in the
    /// file, comments or layout, so `sop fmt` leaves it as it is. Run
    /// records store it as `sop_hash`.
    pub fn hash(&self) -> String {
        // Serialising plain data to bytes cannot fail.
        sha256_hex(&serde_json::to_vec(self).unwrap_or_default())
    }

    /// The hash of every node, in the order of `nodes` (see [`node_hash`]):
    /// the edges are grouped by their `from` once, so this is linear in
    /// nodes and edges.
    pub fn node_hashes(&self) -> Vec<String> {
        let mut outgoing: HashMap<&str, Vec<&Edge>> = HashMap::with_capacity(self.nodes.len());
        for edge in &self.edges {
            outgoing.entry(edge.from.as_str()).or_default().push(edge);
        }
        let mut buffer = Vec::new();
        self.nodes
            .iter()
            .map(|node| {
                let edges = outgoing
                    .get(node.id.as_str())
                    .map_or(&[][..], Vec::as_slice);
                hash_node(node, edges.iter().copied(), &mut buffer)
            })
            .collect()
    }

    /// The JSON workflow definition with its hashes, as `sop render --to
    /// json` writes it.
    pub fn hashed(&self) -> Hashed<'_> {
        Hashed {
            workflow: self,
            hash: self.hash(),
            nodes: self.node_hashes(),
        }
    }
}

/// The SHA-256 of the meaning of the node at `index` in `workflow.nodes`,
/// in lowercase hex: of the node's compact JSON without `number` (its
/// position, which a step inserted before it changes) and without `hash`,
/// followed by the compact JSON of each of its outgoing edges in the order
/// of `edges`. So it changes with the step's id, title, kind, roles, time
/// limit, prose, script, question, callouts and where its branches lead,
/// and with nothing else. Panics when `index` is out of range.
pub fn node_hash(workflow: &Workflow, index: usize) -> String {
    let node = &workflow.nodes[index];
    let edges = workflow.edges.iter().filter(|e| e.from == node.id);
    hash_node(node, edges, &mut Vec::new())
}

fn hash_node<'a>(
    node: &Node,
    edges: impl Iterator<Item = &'a Edge>,
    buffer: &mut Vec<u8>,
) -> String {
    buffer.clear();
    // Writing plain data into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *buffer, &Unnumbered(node));
    for edge in edges {
        let _ = serde_json::to_writer(&mut *buffer, edge);
    }
    sha256_hex(buffer)
}

/// A workflow with its hashes: serialises as the JSON workflow definition.
pub struct Hashed<'a> {
    workflow: &'a Workflow,
    hash: String,
    nodes: Vec<String>,
}

impl Hashed<'_> {
    /// [`Workflow::hash`].
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// [`Workflow::node_hashes`].
    pub fn node_hashes(&self) -> &[String] {
        &self.nodes
    }
}

impl Serialize for Hashed<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        workflow(self.workflow, Some((&self.hash, &self.nodes)), s)
    }
}

impl Serialize for Workflow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        workflow(self, None, s)
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        node(self, true, None, s)
    }
}

/// A node without its `number`.
struct Unnumbered<'a>(&'a Node);

impl Serialize for Unnumbered<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        node(self.0, false, None, s)
    }
}

/// The nodes, each with its hash.
struct HashedNodes<'a>(&'a [Node], &'a [String]);

impl Serialize for HashedNodes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for (n, hash) in self.0.iter().zip(self.1) {
            seq.serialize_element(&HashedNode(n, hash))?;
        }
        seq.end()
    }
}

struct HashedNode<'a>(&'a Node, &'a str);

impl Serialize for HashedNode<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        node(self.0, true, Some(self.1), s)
    }
}

/// A workflow, with `hash` and the nodes' hashes when `hashes` are given.
fn workflow<S: Serializer>(
    w: &Workflow,
    hashes: Option<(&str, &[String])>,
    s: S,
) -> Result<S::Ok, S::Error> {
    let Workflow {
        format,
        format_version,
        id,
        title,
        meta,
        purpose,
        scope,
        roles,
        start,
        nodes,
        edges,
        analysis,
        metrics,
        definitions,
        references,
        revisions,
        notes,
    } = w;
    let len = 16 + usize::from(hashes.is_some()) + usize::from(notes.is_some());
    let mut st = s.serialize_struct("Workflow", len)?;
    st.serialize_field("format", format)?;
    st.serialize_field("format_version", format_version)?;
    if let Some((hash, _)) = hashes {
        st.serialize_field("hash", hash)?;
    }
    st.serialize_field("id", id)?;
    st.serialize_field("title", title)?;
    st.serialize_field("meta", meta)?;
    st.serialize_field("purpose", purpose)?;
    st.serialize_field("scope", scope)?;
    st.serialize_field("roles", roles)?;
    st.serialize_field("start", start)?;
    match hashes {
        Some((_, node_hashes)) => st.serialize_field("nodes", &HashedNodes(nodes, node_hashes))?,
        None => st.serialize_field("nodes", nodes)?,
    }
    st.serialize_field("edges", edges)?;
    st.serialize_field("analysis", analysis)?;
    st.serialize_field("metrics", metrics)?;
    st.serialize_field("definitions", definitions)?;
    st.serialize_field("references", references)?;
    st.serialize_field("revisions", revisions)?;
    match notes {
        Some(notes) => st.serialize_field("notes", notes)?,
        None => st.skip_field("notes")?,
    }
    st.end()
}

/// A node, with `number` when `numbered`, and `hash` last when given.
fn node<S: Serializer>(
    n: &Node,
    numbered: bool,
    hash: Option<&str>,
    s: S,
) -> Result<S::Ok, S::Error> {
    let Node {
        id,
        number,
        kind,
        title,
        roles,
        within,
        text,
        say,
        ask,
        callouts,
    } = n;
    let len = 9 + usize::from(numbered) + usize::from(hash.is_some());
    let mut st = s.serialize_struct("Node", len)?;
    st.serialize_field("id", id)?;
    if numbered {
        st.serialize_field("number", number)?;
    } else {
        st.skip_field("number")?;
    }
    st.serialize_field("kind", kind)?;
    st.serialize_field("title", title)?;
    st.serialize_field("roles", roles)?;
    st.serialize_field("within", within)?;
    st.serialize_field("text", text)?;
    st.serialize_field("say", say)?;
    st.serialize_field("ask", ask)?;
    st.serialize_field("callouts", callouts)?;
    if let Some(hash) = hash {
        st.serialize_field("hash", hash)?;
    }
    st.end()
}
