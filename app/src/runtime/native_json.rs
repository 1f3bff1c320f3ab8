//! JSON for the native engine's socket that keeps NaN and ±∞. JSON has no such numbers and serde_json
//! writes them as `null`, which the page cannot read back as a number: a diverging run's NaN loss
//! would arrive as an unreadable message instead of the divergence it is. Here every non-finite `f32`
//! or `f64` is written as one of [`NON_FINITE`]'s strings instead, and the page's `JSON.parse` reviver
//! (`client.rs`) turns them back into numbers; everything else is written exactly as serde_json writes
//! it. A Web Worker needs none of this: a structured clone carries NaN as it is.

use serde::ser::{self, Serialize, Serializer};

use crate::protocol::NON_FINITE;

/// `value` as JSON, with non-finite numbers as [`NON_FINITE`]'s strings.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string(&Keep(value))
}

/// The string standing for `v`, if `v` is not finite.
fn stand_in(v: f64) -> Option<&'static str> {
    let [nan, inf, neg_inf] = NON_FINITE;
    if v.is_nan() {
        Some(nan)
    } else if v == f64::INFINITY {
        Some(inf)
    } else if v == f64::NEG_INFINITY {
        Some(neg_inf)
    } else {
        None
    }
}

/// A value serialised through [`KeepSerializer`].
struct Keep<'a, T: ?Sized>(&'a T);

impl<T: Serialize + ?Sized> Serialize for Keep<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(KeepSerializer(s))
    }
}

/// Passes everything to the inner serializer, non-finite floats as strings, and wraps whatever the
/// inner one nests (elements, fields, map entries, variants' contents) so the rule holds all the way
/// down.
struct KeepSerializer<S>(S);

/// A compound of the inner serializer whose members are wrapped in [`Keep`].
struct Nested<C>(C);

macro_rules! forward {
    ($($name:ident($t:ty)),* $(,)?) => {
        $(fn $name(self, v: $t) -> Result<S::Ok, S::Error> {
            self.0.$name(v)
        })*
    };
}

impl<S: Serializer> Serializer for KeepSerializer<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Nested<S::SerializeSeq>;
    type SerializeTuple = Nested<S::SerializeTuple>;
    type SerializeTupleStruct = Nested<S::SerializeTupleStruct>;
    type SerializeTupleVariant = Nested<S::SerializeTupleVariant>;
    type SerializeMap = Nested<S::SerializeMap>;
    type SerializeStruct = Nested<S::SerializeStruct>;
    type SerializeStructVariant = Nested<S::SerializeStructVariant>;

    forward!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str),
    );

    fn serialize_f32(self, v: f32) -> Result<S::Ok, S::Error> {
        match stand_in(f64::from(v)) {
            Some(text) => self.0.serialize_str(text),
            None => self.0.serialize_f32(v),
        }
    }

    fn serialize_f64(self, v: f64) -> Result<S::Ok, S::Error> {
        match stand_in(v) {
            Some(text) => self.0.serialize_str(text),
            None => self.0.serialize_f64(v),
        }
    }

    fn serialize_none(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_none()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_some(&Keep(v))
    }

    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit_variant(name, index, variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        v: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_newtype_struct(name, &Keep(v))
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0
            .serialize_newtype_variant(name, index, variant, &Keep(v))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        self.0.serialize_seq(len).map(Nested)
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.0.serialize_tuple(len).map(Nested)
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.0.serialize_tuple_struct(name, len).map(Nested)
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        self.0
            .serialize_tuple_variant(name, index, variant, len)
            .map(Nested)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.0.serialize_map(len).map(Nested)
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.0.serialize_struct(name, len).map(Nested)
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        self.0
            .serialize_struct_variant(name, index, variant, len)
            .map(Nested)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

macro_rules! nested {
    ($trait:ident, $method:ident) => {
        impl<C: ser::$trait> ser::$trait for Nested<C> {
            type Ok = C::Ok;
            type Error = C::Error;

            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), C::Error> {
                self.0.$method(&Keep(v))
            }

            fn end(self) -> Result<C::Ok, C::Error> {
                self.0.end()
            }
        }
    };
}

nested!(SerializeSeq, serialize_element);
nested!(SerializeTuple, serialize_element);
nested!(SerializeTupleStruct, serialize_field);
nested!(SerializeTupleVariant, serialize_field);

macro_rules! nested_fields {
    ($trait:ident) => {
        impl<C: ser::$trait> ser::$trait for Nested<C> {
            type Ok = C::Ok;
            type Error = C::Error;

            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                v: &T,
            ) -> Result<(), C::Error> {
                self.0.serialize_field(key, &Keep(v))
            }

            fn skip_field(&mut self, key: &'static str) -> Result<(), C::Error> {
                self.0.skip_field(key)
            }

            fn end(self) -> Result<C::Ok, C::Error> {
                self.0.end()
            }
        }
    };
}

nested_fields!(SerializeStruct);
nested_fields!(SerializeStructVariant);

impl<C: ser::SerializeMap> ser::SerializeMap for Nested<C> {
    type Ok = C::Ok;
    type Error = C::Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), C::Error> {
        self.0.serialize_key(&Keep(k))
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), C::Error> {
        self.0.serialize_value(&Keep(v))
    }

    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Serialize};
    use serde_bytes::ByteBuf;

    use super::*;
    use crate::messages::{MessageCode, WorkerMessage};
    use crate::protocol::{FromWorker, Status};

    /// A lesson's event as the runtime sees one (the runtime's tests name no lesson): a struct
    /// variant of numbers, vectors and flags, like a training progress report.
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    enum Event {
        Progress {
            step: u64,
            fraction: f32,
            losses: Vec<f32>,
            samples_per_second: f64,
            running: bool,
        },
    }

    /// A lesson's reply.
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    enum Reply {
        Done(u32),
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    enum Shape {
        Unit,
        New(f32),
        Tuple(f64, Option<f32>),
        Fields { a: Vec<f32>, b: (u8, f64) },
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Everything {
        shapes: Vec<Shape>,
        map: BTreeMap<String, f64>,
        bytes: ByteBuf,
        text: String,
        none: Option<f32>,
        big: u64,
    }

    fn finite() -> Everything {
        Everything {
            shapes: vec![
                Shape::Unit,
                Shape::New(0.1),
                Shape::Tuple(-2.5e-300, Some(3.0)),
                Shape::Fields {
                    a: vec![1.0, -0.0, f32::MIN_POSITIVE],
                    b: (255, 1e300),
                },
            ],
            map: [("x".to_string(), 0.5)].into(),
            bytes: ByteBuf::from(vec![0, 1, 254, 255]),
            text: "\"quoted\" and 中文".into(),
            none: None,
            big: u64::MAX,
        }
    }

    #[test]
    fn finite_values_are_written_exactly_as_serde_json_writes_them() {
        let v = finite();
        assert_eq!(to_string(&v).unwrap(), serde_json::to_string(&v).unwrap());
        let losses = Event::Progress {
            step: 3,
            fraction: 0.25,
            losses: vec![std::f32::consts::LN_10, 1.5],
            samples_per_second: 1234.5,
            running: true,
        };
        let done = Reply::Done(7);
        let said = WorkerMessage::new(MessageCode::EngineFailed, "lost");
        // Every shape the envelope takes: an event, a reply and a refusal, and the worker's status.
        let envelopes: [FromWorker<&Event, &Reply>; 4] = [
            FromWorker::Event(&losses),
            FromWorker::Reply {
                id: 1,
                reply: Ok(&done),
            },
            FromWorker::Reply {
                id: 2,
                reply: Err(said.clone()),
            },
            FromWorker::Status(Status::Error(said)),
        ];
        for envelope in &envelopes {
            assert_eq!(
                to_string(envelope).unwrap(),
                serde_json::to_string(envelope).unwrap()
            );
        }
    }

    #[test]
    fn non_finite_values_become_the_stand_ins_wherever_they_are() {
        let [nan, inf, neg_inf] = NON_FINITE;
        let mut v = finite();
        v.shapes = vec![
            Shape::New(f32::NAN),
            Shape::Tuple(f64::INFINITY, Some(f32::NEG_INFINITY)),
            Shape::Fields {
                a: vec![1.0, f32::NAN],
                b: (1, f64::NEG_INFINITY),
            },
        ];
        v.map.insert("y".into(), f64::NAN);
        let text = to_string(&v).unwrap();
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["shapes"][0]["New"], nan);
        assert_eq!(back["shapes"][1]["Tuple"][0], inf);
        assert_eq!(back["shapes"][1]["Tuple"][1], neg_inf);
        assert_eq!(back["shapes"][2]["Fields"]["a"][0], 1.0);
        assert_eq!(back["shapes"][2]["Fields"]["a"][1], nan);
        assert_eq!(back["shapes"][2]["Fields"]["b"][1], neg_inf);
        assert_eq!(back["map"]["y"], nan);
        assert_eq!(back["none"], serde_json::Value::Null);
        // serde_json alone would have written them as null, which the page cannot read as a number.
        assert!(serde_json::to_string(&v).unwrap().contains("\"New\":null"));
        // The page tells a message that needs its reviver by the escaped NUL.
        assert!(text.contains(crate::protocol::NON_FINITE_MARK));
        assert!(
            !to_string(&finite())
                .unwrap()
                .contains(crate::protocol::NON_FINITE_MARK)
        );
    }
}
