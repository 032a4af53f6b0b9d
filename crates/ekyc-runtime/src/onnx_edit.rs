//! A minimal edit of ONNX files at the protobuf wire level, so that the
//! fetch step needs no Python `onnx` package.
//!
//! The only edit so far: drop graph inputs that are not really inputs.
//! Some exporters declare every weight as a graph input. Where no node
//! reads the weight (it is produced another way, block-quantised weights
//! say), ONNX Runtime insists on being fed a value for it. Where an
//! initializer provides it, ONNX Runtime must treat it as a value the
//! caller may override, so it cannot fold it: batch norms stay unfused and
//! quantised weights are dequantised on every run (SFace ran 3× slower).

use std::collections::HashSet;

/// The model's protobuf is not what the edit expects.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("malformed ONNX protobuf: {0}")]
pub struct EditError(&'static str);

// Field numbers from onnx.proto.
const MODEL_GRAPH: u64 = 7;
const GRAPH_NODE: u64 = 1;
const GRAPH_INITIALIZER: u64 = 5;
const GRAPH_INPUT: u64 = 11;
const NODE_INPUT: u64 = 1;
const VALUE_INFO_NAME: u64 = 1;
const TENSOR_NAME: u64 = 8;

/// One field of a protobuf message, as raw bytes.
struct Field<'a> {
    number: u64,
    /// The whole encoded field, key included.
    raw: &'a [u8],
    /// The payload of a length-delimited field.
    payload: Option<&'a [u8]>,
}

fn read_varint(bytes: &[u8], pos: &mut usize) -> Result<u64, EditError> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*pos).ok_or(EditError("truncated varint"))?;
        *pos += 1;
        value |= u64::from(byte & 0x7F) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(EditError("varint too long"))
}

fn fields(message: &[u8]) -> Result<Vec<Field<'_>>, EditError> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < message.len() {
        let start = pos;
        let key = read_varint(message, &mut pos)?;
        let payload = match key & 7 {
            0 => {
                read_varint(message, &mut pos)?;
                None
            }
            1 => {
                pos += 8;
                None
            }
            5 => {
                pos += 4;
                None
            }
            2 => {
                let length = usize::try_from(read_varint(message, &mut pos)?)
                    .map_err(|_| EditError("length"))?;
                let end = pos
                    .checked_add(length)
                    .ok_or(EditError("length overflow"))?;
                let payload = message.get(pos..end).ok_or(EditError("truncated field"))?;
                pos = end;
                Some(payload)
            }
            _ => return Err(EditError("unsupported wire type")),
        };
        let raw = message
            .get(start..pos)
            .ok_or(EditError("truncated field"))?;
        out.push(Field {
            number: key >> 3,
            raw,
            payload,
        });
    }
    Ok(out)
}

fn strings_of(message: &[u8], number: u64) -> Result<Vec<&[u8]>, EditError> {
    Ok(fields(message)?
        .into_iter()
        .filter(|f| f.number == number)
        .filter_map(|f| f.payload)
        .collect())
}

fn write_varint(mut value: u64, out: &mut Vec<u8>) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Removes the graph inputs that no node of the main graph reads or that
/// an initializer provides. Returns the edited model and the number of
/// inputs removed.
pub fn prune_graph_inputs(model: &[u8]) -> Result<(Vec<u8>, usize), EditError> {
    let mut out = Vec::with_capacity(model.len());
    let mut removed = 0;
    for field in fields(model)? {
        match (field.number, field.payload) {
            (MODEL_GRAPH, Some(graph)) => {
                let (edited, count) = prune_graph(graph)?;
                removed += count;
                write_varint((MODEL_GRAPH << 3) | 2, &mut out);
                write_varint(edited.len() as u64, &mut out);
                out.extend_from_slice(&edited);
            }
            _ => out.extend_from_slice(field.raw),
        }
    }
    Ok((out, removed))
}

fn prune_graph(graph: &[u8]) -> Result<(Vec<u8>, usize), EditError> {
    let graph_fields = fields(graph)?;
    let mut consumed: HashSet<&[u8]> = HashSet::new();
    let mut initialised: HashSet<&[u8]> = HashSet::new();
    for field in &graph_fields {
        let payload = field.payload.unwrap_or_default();
        match field.number {
            GRAPH_NODE => consumed.extend(strings_of(payload, NODE_INPUT)?),
            GRAPH_INITIALIZER => initialised.extend(strings_of(payload, TENSOR_NAME)?),
            _ => {}
        }
    }
    let mut out = Vec::with_capacity(graph.len());
    let mut removed = 0;
    for field in &graph_fields {
        if field.number == GRAPH_INPUT {
            let names = strings_of(field.payload.unwrap_or_default(), VALUE_INFO_NAME)?;
            if names
                .first()
                .is_some_and(|name| !consumed.contains(name) || initialised.contains(name))
            {
                removed += 1;
                continue;
            }
        }
        out.extend_from_slice(field.raw);
    }
    Ok((out, removed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn length_delimited(number: u64, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        write_varint((number << 3) | 2, &mut out);
        write_varint(payload.len() as u64, &mut out);
        out.extend_from_slice(payload);
        out
    }

    fn value_info(name: &str) -> Vec<u8> {
        length_delimited(
            GRAPH_INPUT,
            &length_delimited(VALUE_INFO_NAME, name.as_bytes()),
        )
    }

    fn initializer(name: &str) -> Vec<u8> {
        length_delimited(
            GRAPH_INITIALIZER,
            &length_delimited(TENSOR_NAME, name.as_bytes()),
        )
    }

    #[test]
    fn drops_unconsumed_and_initialised_inputs_only() {
        let node = length_delimited(
            GRAPH_NODE,
            &[
                length_delimited(NODE_INPUT, b"data"),
                length_delimited(NODE_INPUT, b"w"),
            ]
            .concat(),
        );
        let graph = [
            node,
            initializer("w"),
            value_info("data"),
            value_info("w"),
            value_info("unused"),
        ]
        .concat();
        let model = [
            vec![0x08, 0x07],
            length_delimited(MODEL_GRAPH, &graph),
            vec![0x10, 0x01],
        ]
        .concat();
        let (edited, removed) = prune_graph_inputs(&model).unwrap();
        assert_eq!(removed, 2);
        assert_eq!(
            edited.len(),
            model.len() - value_info("unused").len() - value_info("w").len()
        );
        assert_eq!(&edited[..2], &[0x08, 0x07]);
        assert!(edited
            .windows(value_info("data").len())
            .any(|w| w == value_info("data")));
        assert_eq!(prune_graph_inputs(&edited).unwrap().1, 0);
    }

    #[test]
    fn truncated_input_is_an_error_not_a_panic() {
        let graph = value_info("data");
        let model = length_delimited(MODEL_GRAPH, &graph);
        for cut in 1..model.len() {
            let _ = prune_graph_inputs(&model[..cut]);
        }
        assert!(prune_graph_inputs(&model[..model.len() - 1]).is_err());
    }

    #[test]
    fn varints_round_trip() {
        for value in [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let mut bytes = Vec::new();
            write_varint(value, &mut bytes);
            assert_eq!(read_varint(&bytes, &mut 0).unwrap(), value);
        }
    }
}
