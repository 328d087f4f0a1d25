//! A template's intrinsic functions resolved offline, as far as they can be.
//!
//! `Ref` to a parameter gives the sidecar's value, else its `Default`, else the placeholder
//! `${Name}`; pseudo parameters give the sidecar's value (`AWS::Partition` and
//! `AWS::URLSuffix` have AWS's defaults, `AWS::NoValue` removes the key); `Ref` to a resource
//! gives `${LogicalId}` and `Fn::GetAtt` gives `${LogicalId.Attribute}`, values that exist
//! only after deployment and that the topology reads as references. `Fn::Sub`, `Fn::Join`,
//! `Fn::Select`, `Fn::Split`, `Fn::FindInMap`, `Fn::If` and the condition functions are
//! evaluated. `Fn::ImportValue` gives `${import:Name}` with a warning; a value from a custom
//! resource or a function that cannot run offline gives a placeholder with a warning.
//! A cycle (between conditions, or between resources through their references) is an
//! error naming it.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use crate::document::{Document, Node, SourceLocation, Value, Warning, child, index};
use crate::error::ImportError;
use crate::placeholders::{Values, placeholder};

/// Pseudo parameters that have one value wherever the template is deployed (in the `aws`
/// partition, which the sidecar can change).
const PSEUDO_DEFAULTS: [(&str, &str); 2] = [
    ("AWS::Partition", "aws"),
    ("AWS::URLSuffix", "amazonaws.com"),
];

/// One resource of the template.
#[derive(Debug, Clone)]
pub(crate) struct Resource<'a> {
    /// Its logical id.
    pub(crate) id: &'a str,
    /// Its `Type`.
    pub(crate) kind: &'a str,
    /// The resource's map.
    pub(crate) node: &'a Node,
    /// `/Resources/<id>`.
    pub(crate) pointer: String,
}

impl Resource<'_> {
    /// Whether this is a custom resource, whose values only its provider knows.
    pub(crate) fn is_custom(&self) -> bool {
        self.kind.starts_with("Custom::") || self.kind == "AWS::CloudFormation::CustomResource"
    }
}

/// A template with what resolution needs.
pub(crate) struct Template<'a> {
    pub(crate) doc: &'a Document,
    values: &'a Values,
    parameters: HashMap<&'a str, Option<&'a Node>>,
    mappings: Option<&'a Node>,
    conditions: HashMap<&'a str, &'a Node>,
    condition_values: RefCell<HashMap<String, bool>>,
    pub(crate) resources: Vec<Resource<'a>>,
    warnings: RefCell<Vec<Warning>>,
}

impl<'a> Template<'a> {
    /// Indexes a template: its parameters, mappings, conditions and resources. Fails when a
    /// section has the wrong shape or a resource has no type.
    pub(crate) fn new(doc: &'a Document, values: &'a Values) -> Result<Self, ImportError> {
        let root = &doc.root;
        let section = |name: &str| -> Result<Option<&'a [(String, Node)]>, ImportError> {
            match root.get(name) {
                None => Ok(None),
                Some(node) => match node.as_map() {
                    Some(entries) => Ok(Some(entries)),
                    None if node.is_null() => Ok(None),
                    None => Err(ImportError::Source {
                        location: doc.at(&child("", name), Some(node)),
                        message: format!("{name} is {}, expected a map", node.kind()),
                    }),
                },
            }
        };
        let parameters = section("Parameters")?
            .unwrap_or_default()
            .iter()
            .map(|(name, p)| (name.as_str(), p.get("Default")))
            .collect();
        let conditions = section("Conditions")?
            .unwrap_or_default()
            .iter()
            .map(|(name, c)| (name.as_str(), c))
            .collect();
        let Some(resources) = section("Resources")? else {
            return Err(ImportError::Source {
                location: doc.at("/Resources", Some(root)),
                message: "no Resources: a CloudFormation template declares at least one".into(),
            });
        };
        let mut list = Vec::new();
        for (id, node) in resources {
            let pointer = child("/Resources", id);
            let kind = match node.get("Type") {
                Some(t) => t.as_str().ok_or_else(|| ImportError::Source {
                    location: doc.at(&child(&pointer, "Type"), Some(t)),
                    message: format!(
                        "Type is {}, expected a resource type such as AWS::ApiGateway::Method",
                        t.kind()
                    ),
                })?,
                None => {
                    return Err(ImportError::Source {
                        location: doc.at(&pointer, Some(node)),
                        message: format!("resource {id} has no Type"),
                    });
                }
            };
            if !well_formed_type(kind) {
                return Err(ImportError::Source {
                    location: doc.at(&child(&pointer, "Type"), node.get("Type")),
                    message: format!(
                        "unknown resource type {kind:?} (expected Service::Resource names such as AWS::ElasticLoadBalancingV2::Listener, or Custom::Name)"
                    ),
                });
            }
            list.push(Resource {
                id,
                kind,
                node,
                pointer,
            });
        }
        let template = Template {
            doc,
            values,
            parameters,
            mappings: root.get("Mappings"),
            conditions,
            condition_values: RefCell::new(HashMap::new()),
            resources: list,
            warnings: RefCell::new(Vec::new()),
        };
        template.check_resource_cycles()?;
        Ok(template)
    }

    /// The warnings resolution gave.
    pub(crate) fn take_warnings(&self) -> Vec<Warning> {
        std::mem::take(&mut self.warnings.borrow_mut())
    }

    /// Records a warning.
    pub(crate) fn warn(&self, pointer: &str, node: Option<&Node>, message: impl Into<String>) {
        self.warnings.borrow_mut().push(Warning {
            location: self.doc.at(pointer, node),
            message: message.into(),
        });
    }

    fn location(&self, pointer: &str, node: &Node) -> SourceLocation {
        self.doc.at(pointer, Some(node))
    }

    fn error(&self, pointer: &str, node: &Node, message: impl Into<String>) -> ImportError {
        ImportError::Source {
            location: self.location(pointer, node),
            message: message.into(),
        }
    }

    /// The resource with a logical id.
    pub(crate) fn resource(&self, id: &str) -> Option<&Resource<'a>> {
        self.resources.iter().find(|r| r.id == id)
    }

    /// Whether a resource's `Condition` holds (a resource without one always exists).
    pub(crate) fn exists(&self, resource: &Resource<'_>) -> Result<bool, ImportError> {
        match resource.node.get("Condition") {
            None => Ok(true),
            Some(name) => match name.as_str() {
                Some(name) => self.condition(
                    name,
                    &child(&resource.pointer, "Condition"),
                    name_node(resource),
                ),
                None => Err(self.error(
                    &child(&resource.pointer, "Condition"),
                    name,
                    "Condition must name a condition",
                )),
            },
        }
    }

    /// `node` with every intrinsic function resolved; `None` for `AWS::NoValue`.
    pub(crate) fn resolve(&self, node: &Node, pointer: &str) -> Result<Option<Node>, ImportError> {
        if let Some((name, arg)) = intrinsic(node) {
            return self.intrinsic(name, arg, node, pointer);
        }
        let value = match &node.value {
            Value::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    if let Some(v) = self.resolve(item, &index(pointer, i))? {
                        out.push(v);
                    }
                }
                Value::Seq(out)
            }
            Value::Map(entries) => {
                let mut out = Vec::with_capacity(entries.len());
                for (key, item) in entries {
                    if let Some(v) = self.resolve(item, &child(pointer, key))? {
                        out.push((key.clone(), v));
                    }
                }
                Value::Map(out)
            }
            other => other.clone(),
        };
        Ok(Some(Node {
            value,
            line: node.line,
        }))
    }

    /// A resolved value as text (`None` for no value, a list or a map).
    pub(crate) fn text(&self, node: &Node, pointer: &str) -> Result<Option<String>, ImportError> {
        Ok(self.resolve(node, pointer)?.and_then(|n| n.scalar_text()))
    }

    fn intrinsic(
        &self,
        name: &str,
        arg: &Node,
        node: &Node,
        pointer: &str,
    ) -> Result<Option<Node>, ImportError> {
        let at = child(pointer, name);
        let line = node.line;
        let text = |s: String| {
            Ok(Some(Node {
                value: Value::Str(s),
                line,
            }))
        };
        match name {
            "Ref" => {
                let Some(target) = arg.as_str() else {
                    return Err(self.error(
                        &at,
                        arg,
                        format!("Ref takes a name, not {}", arg.kind()),
                    ));
                };
                match self.reference(target, &at, arg)? {
                    Some(value) => text(value),
                    None => Ok(None),
                }
            }
            "Fn::GetAtt" => {
                let (resource, attribute) = get_att_parts(arg).ok_or_else(|| {
                    self.error(
                        &at,
                        arg,
                        "Fn::GetAtt takes [LogicalId, Attribute] or \"LogicalId.Attribute\"",
                    )
                })?;
                text(self.attribute(&resource, &attribute, &at, arg)?)
            }
            "Fn::Sub" => text(self.sub(arg, &at)?),
            "Fn::Join" => {
                let parts = self.args(arg, &at, 2, "Fn::Join takes [delimiter, [values]]")?;
                let delimiter = self.string(&parts[0], &index(&at, 0))?;
                let list = self.resolve(&parts[1], &index(&at, 1))?;
                let Some(items) = list.as_ref().and_then(Node::as_seq) else {
                    return Err(self.error(&at, arg, "Fn::Join takes [delimiter, [values]]"));
                };
                let texts: Vec<String> = items.iter().filter_map(Node::scalar_text).collect();
                text(texts.join(&delimiter))
            }
            "Fn::Select" => {
                let parts = self.args(arg, &at, 2, "Fn::Select takes [index, [values]]")?;
                let i = self
                    .resolve(&parts[0], &index(&at, 0))?
                    .and_then(|n| n.as_i64())
                    .ok_or_else(|| self.error(&at, arg, "Fn::Select's index must be a number"))?;
                let list = self.resolve(&parts[1], &index(&at, 1))?;
                let items = list.as_ref().and_then(Node::as_seq).unwrap_or_default();
                match usize::try_from(i).ok().and_then(|i| items.get(i)) {
                    Some(item) => Ok(Some(item.clone())),
                    None => Err(self.error(
                        &at,
                        arg,
                        format!(
                            "Fn::Select index {i} is out of range ({} values)",
                            items.len()
                        ),
                    )),
                }
            }
            "Fn::Split" => {
                let parts = self.args(arg, &at, 2, "Fn::Split takes [delimiter, text]")?;
                let delimiter = self.string(&parts[0], &index(&at, 0))?;
                let source = self.string(&parts[1], &index(&at, 1))?;
                if delimiter.is_empty() {
                    return Err(self.error(&at, arg, "Fn::Split's delimiter is empty"));
                }
                Ok(Some(Node {
                    value: Value::Seq(
                        source
                            .split(&delimiter)
                            .map(|s| Node {
                                value: Value::Str(s.to_owned()),
                                line,
                            })
                            .collect(),
                    ),
                    line,
                }))
            }
            "Fn::FindInMap" => {
                let parts = self.args(
                    arg,
                    &at,
                    3,
                    "Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]",
                )?;
                let mut keys = Vec::new();
                for (i, part) in parts.iter().enumerate() {
                    keys.push(self.string(part, &index(&at, i))?);
                }
                let found = self
                    .mappings
                    .and_then(|m| m.get(&keys[0]))
                    .and_then(|m| m.get(&keys[1]))
                    .and_then(|m| m.get(&keys[2]));
                match found {
                    Some(v) => {
                        self.resolve(v, &format!("/Mappings/{}/{}/{}", keys[0], keys[1], keys[2]))
                    }
                    None => Err(self.error(
                        &at,
                        arg,
                        format!(
                            "Fn::FindInMap: no Mappings entry {}/{}/{}",
                            keys[0], keys[1], keys[2]
                        ),
                    )),
                }
            }
            "Fn::If" => {
                let parts = self.args(
                    arg,
                    &at,
                    3,
                    "Fn::If takes [ConditionName, value if true, value if false]",
                )?;
                let Some(condition) = parts[0].as_str() else {
                    return Err(self.error(&at, arg, "Fn::If's first value must name a condition"));
                };
                if self.condition(condition, &at, &parts[0])? {
                    self.resolve(&parts[1], &index(&at, 1))
                } else {
                    self.resolve(&parts[2], &index(&at, 2))
                }
            }
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" | "Condition" => Ok(Some(Node {
                value: Value::Bool(self.evaluate(node, pointer, &mut Vec::new())?),
                line,
            })),
            "Fn::ImportValue" => {
                let export = self.string(arg, &at)?;
                self.warn(
                    &at,
                    Some(node),
                    format!("Fn::ImportValue {export:?} needs the stack that exports it; the sidecar's [values] \"import:{export}\" gives it"),
                );
                text(placeholder(&format!("import:{export}")))
            }
            other => {
                self.warn(
                    &at,
                    Some(node),
                    format!("{other} cannot be resolved offline; the sidecar's [values] {:?} gives its value", format!("unresolved:{pointer}")),
                );
                text(placeholder(&format!("unresolved:{pointer}")))
            }
        }
    }

    /// The value of `Ref Name`.
    fn reference(&self, name: &str, at: &str, node: &Node) -> Result<Option<String>, ImportError> {
        if name == "AWS::NoValue" {
            return Ok(None);
        }
        if let Some(value) = self.values.get(name) {
            return Ok(Some(value.to_owned()));
        }
        if name.starts_with("AWS::") {
            let default = PSEUDO_DEFAULTS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned());
            return Ok(Some(default.unwrap_or_else(|| placeholder(name))));
        }
        if let Some(default) = self.parameters.get(name) {
            return Ok(Some(match default.and_then(Node::scalar_text) {
                Some(value) => value,
                None => placeholder(name),
            }));
        }
        match self.resource(name) {
            Some(resource) => {
                if resource.is_custom() {
                    self.warn(at, Some(node), format!("{name} is a custom resource ({}); its values are known only after deployment", resource.kind));
                }
                Ok(Some(placeholder(name)))
            }
            None => Err(self.error(
                at,
                node,
                format!(
                    "Ref {name:?} names no parameter, pseudo parameter or resource of the template"
                ),
            )),
        }
    }

    /// The value of `Fn::GetAtt Resource.Attribute`: known only after deployment.
    fn attribute(
        &self,
        resource: &str,
        attribute: &str,
        at: &str,
        node: &Node,
    ) -> Result<String, ImportError> {
        let name = format!("{resource}.{attribute}");
        if let Some(value) = self.values.get(&name) {
            return Ok(value.to_owned());
        }
        match self.resource(resource) {
            Some(r) => {
                if r.is_custom() {
                    self.warn(at, Some(node), format!("{name} comes from the custom resource {resource} ({}); the sidecar's [values] {name:?} gives it", r.kind));
                }
                Ok(placeholder(&name))
            }
            None => Err(self.error(
                at,
                node,
                format!("Fn::GetAtt {name:?} names no resource of the template"),
            )),
        }
    }

    /// `Fn::Sub`, with its own variables first.
    fn sub(&self, arg: &Node, at: &str) -> Result<String, ImportError> {
        let (template, variables) = match (&arg.value, arg.as_seq()) {
            (Value::Str(s), _) => (s.as_str(), None),
            (_, Some([t, vars])) => match t.as_str() {
                Some(s) => (s, vars.as_map()),
                None => {
                    return Err(self.error(
                        at,
                        arg,
                        "Fn::Sub takes a text, or [text, {variables}]",
                    ));
                }
            },
            _ => return Err(self.error(at, arg, "Fn::Sub takes a text, or [text, {variables}]")),
        };
        let mut out = String::new();
        for part in sub_parts(template) {
            match part {
                SubPart::Literal(text) => out.push_str(&text),
                SubPart::Variable(name) => {
                    if let Some((_, v)) =
                        variables.and_then(|vars| vars.iter().find(|(k, _)| *k == name))
                    {
                        let value = self
                            .text(v, &child(&index(at, 1), &name))?
                            .unwrap_or_default();
                        out.push_str(&value);
                    } else if let Some((resource, attribute)) = name.split_once('.')
                        && !name.starts_with("AWS::")
                    {
                        out.push_str(&self.attribute(resource, attribute, at, arg)?);
                    } else if let Some(value) = self.reference(&name, at, arg)? {
                        out.push_str(&value);
                    }
                }
            }
        }
        Ok(out)
    }

    /// The items of an intrinsic's list argument, which must have `n` of them.
    fn args<'n>(
        &self,
        arg: &'n Node,
        at: &str,
        n: usize,
        usage: &str,
    ) -> Result<&'n [Node], ImportError> {
        match arg.as_seq() {
            Some(items) if items.len() == n => Ok(items),
            _ => Err(self.error(at, arg, usage)),
        }
    }

    /// A value that must resolve to text.
    fn string(&self, node: &Node, at: &str) -> Result<String, ImportError> {
        self.text(node, at)?
            .ok_or_else(|| self.error(at, node, format!("expected a text, found {}", node.kind())))
    }

    /// The value of the condition `name`, evaluated once.
    fn condition(&self, name: &str, at: &str, node: &Node) -> Result<bool, ImportError> {
        self.named_condition(name, at, node, &mut Vec::new())
    }

    fn named_condition(
        &self,
        name: &str,
        at: &str,
        node: &Node,
        stack: &mut Vec<String>,
    ) -> Result<bool, ImportError> {
        if let Some(value) = self.condition_values.borrow().get(name) {
            return Ok(*value);
        }
        let Some(definition) = self.conditions.get(name) else {
            return Err(self.error(
                at,
                node,
                format!("no condition named {name:?} in Conditions"),
            ));
        };
        let pointer = child("/Conditions", name);
        if stack.iter().any(|s| s == name) {
            stack.push(name.to_owned());
            return Err(self.error(
                &pointer,
                definition,
                format!(
                    "cyclic reference between conditions: {}",
                    stack.join(" -> ")
                ),
            ));
        }
        stack.push(name.to_owned());
        let value = self.evaluate(definition, &pointer, stack)?;
        stack.pop();
        self.condition_values
            .borrow_mut()
            .insert(name.to_owned(), value);
        Ok(value)
    }

    /// A condition function's value.
    fn evaluate(
        &self,
        node: &Node,
        pointer: &str,
        stack: &mut Vec<String>,
    ) -> Result<bool, ImportError> {
        let Some((name, arg)) = intrinsic(node) else {
            return node.as_bool().ok_or_else(|| self.error(pointer, node, "expected a condition function (Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition)"));
        };
        let at = child(pointer, name);
        match name {
            "Condition" => match arg.as_str() {
                Some(other) => self.named_condition(other, &at, arg, stack),
                None => Err(self.error(&at, arg, "Condition must name a condition")),
            },
            "Fn::Equals" => {
                let parts = self.args(arg, &at, 2, "Fn::Equals takes [value, value]")?;
                let a = self
                    .resolve(&parts[0], &index(&at, 0))?
                    .and_then(|n| n.scalar_text());
                let b = self
                    .resolve(&parts[1], &index(&at, 1))?
                    .and_then(|n| n.scalar_text());
                if [&a, &b]
                    .iter()
                    .any(|v| v.as_deref().is_some_and(|t| t.contains("${")))
                {
                    self.warn(
                        &at,
                        Some(node),
                        "Fn::Equals compares a value known only after deployment; taken as false",
                    );
                    return Ok(false);
                }
                Ok(a == b)
            }
            "Fn::Not" => {
                let parts = self.args(arg, &at, 1, "Fn::Not takes [condition]")?;
                Ok(!self.evaluate(&parts[0], &index(&at, 0), stack)?)
            }
            "Fn::And" | "Fn::Or" => {
                let Some(items) = arg.as_seq().filter(|i| !i.is_empty()) else {
                    return Err(self.error(&at, arg, format!("{name} takes a list of conditions")));
                };
                let mut values = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    values.push(self.evaluate(item, &index(&at, i), stack)?);
                }
                Ok(if name == "Fn::And" {
                    values.iter().all(|v| *v)
                } else {
                    values.iter().any(|v| *v)
                })
            }
            other => Err(self.error(&at, node, format!("{other} is not a condition function"))),
        }
    }

    /// Refuses a template whose resources refer to each other in a circle, as CloudFormation
    /// does.
    fn check_resource_cycles(&self) -> Result<(), ImportError> {
        let ids: HashSet<&str> = self.resources.iter().map(|r| r.id).collect();
        let edges: HashMap<&str, Vec<String>> = self
            .resources
            .iter()
            .map(|r| {
                let mut deps = Vec::new();
                references(r.node, &mut deps);
                deps.retain(|d| ids.contains(d.as_str()));
                (r.id, deps)
            })
            .collect();
        // Iterative depth-first search: 0 unseen, 1 on the path, 2 done.
        let mut state: HashMap<&str, u8> = HashMap::new();
        for start in &self.resources {
            if state.get(start.id).copied().unwrap_or(0) != 0 {
                continue;
            }
            let mut path: Vec<(&str, usize)> = vec![(start.id, 0)];
            state.insert(start.id, 1);
            while let Some((id, next)) = path.last_mut() {
                let deps = &edges[*id];
                if let Some(dep) = deps.get(*next) {
                    *next += 1;
                    match state.get(dep.as_str()).copied().unwrap_or(0) {
                        0 => {
                            let dep = ids.get(dep.as_str()).copied().unwrap_or_default();
                            state.insert(dep, 1);
                            path.push((dep, 0));
                        }
                        1 => {
                            let from = path
                                .iter()
                                .position(|(p, _)| *p == dep.as_str())
                                .unwrap_or(0);
                            let mut cycle: Vec<&str> =
                                path[from..].iter().map(|(p, _)| *p).collect();
                            cycle.push(dep.as_str());
                            let first = self.resource(cycle[0]).map_or(start, |r| r);
                            return Err(self.error(
                                &first.pointer,
                                first.node,
                                format!("cyclic reference between resources: {} (CloudFormation refuses circular dependencies)", cycle.join(" -> ")),
                            ));
                        }
                        _ => {}
                    }
                } else {
                    state.insert(*id, 2);
                    path.pop();
                }
            }
        }
        Ok(())
    }
}

/// The node holding a resource's name, for locating its `Condition`.
fn name_node<'n>(resource: &Resource<'n>) -> &'n Node {
    resource.node.get("Condition").unwrap_or(resource.node)
}

/// `Service::Resource` names with two or three parts, or `Custom::Name`.
fn well_formed_type(kind: &str) -> bool {
    let parts: Vec<&str> = kind.split("::").collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

/// The intrinsic function a node is (`{"Ref": …}`, `{"Fn::Sub": …}`, `{"Condition": "X"}`),
/// with its argument.
fn intrinsic(node: &Node) -> Option<(&str, &Node)> {
    match node.as_map()? {
        [(name, arg)] if name == "Ref" || name.starts_with("Fn::") => Some((name, arg)),
        [(name, arg)] if name == "Condition" && arg.as_str().is_some() => Some((name, arg)),
        _ => None,
    }
}

/// `Fn::GetAtt`'s resource and attribute, from `[A, B]` or `"A.B"`.
fn get_att_parts(arg: &Node) -> Option<(String, String)> {
    match (&arg.value, arg.as_seq()) {
        (Value::Str(s), _) => s.split_once('.').map(|(a, b)| (a.to_owned(), b.to_owned())),
        (_, Some([a, b])) => Some((a.as_str()?.to_owned(), b.scalar_text()?)),
        _ => None,
    }
}

/// A part of an `Fn::Sub` text.
#[derive(Debug, PartialEq, Eq)]
enum SubPart {
    Literal(String),
    Variable(String),
}

/// `Fn::Sub`'s text split into literals and `${Name}` variables; `${!Literal}` is the
/// literal `${Literal}`.
fn sub_parts(text: &str) -> Vec<SubPart> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            break;
        };
        if start > 0 {
            parts.push(SubPart::Literal(rest[..start].to_owned()));
        }
        let name = &after[..end];
        match name.strip_prefix('!') {
            Some(literal) => parts.push(SubPart::Literal(format!("${{{literal}}}"))),
            None => parts.push(SubPart::Variable(name.trim().to_owned())),
        }
        rest = &after[end + 1..];
    }
    if !rest.is_empty() {
        parts.push(SubPart::Literal(rest.to_owned()));
    }
    parts
}

/// The names a node refers to: `Ref` and `Fn::GetAtt` targets, `Fn::Sub` variables and
/// `DependsOn`.
fn references(node: &Node, out: &mut Vec<String>) {
    match &node.value {
        Value::Map(entries) => {
            for (key, value) in entries {
                match key.as_str() {
                    "Ref" => out.extend(value.as_str().map(str::to_owned)),
                    "Fn::GetAtt" => out.extend(get_att_parts(value).map(|(r, _)| r)),
                    "Fn::Sub" => {
                        let text = value.as_str().or_else(|| {
                            value
                                .as_seq()
                                .and_then(|s| s.first())
                                .and_then(Node::as_str)
                        });
                        for part in sub_parts(text.unwrap_or_default()) {
                            if let SubPart::Variable(name) = part {
                                out.push(name.split('.').next().unwrap_or_default().to_owned());
                            }
                        }
                    }
                    "DependsOn" => match value.as_seq() {
                        Some(items) => {
                            out.extend(items.iter().filter_map(Node::as_str).map(str::to_owned))
                        }
                        None => out.extend(value.as_str().map(str::to_owned)),
                    },
                    _ => {}
                }
                references(value, out);
            }
        }
        Value::Seq(items) => {
            for item in items {
                references(item, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse;

    fn template(text: &str) -> Document {
        parse("t.yaml", text).expect("parses")
    }

    #[test]
    fn resolves_what_can_be_known_offline() {
        let doc = template(
            r#"
Parameters:
  Domain: { Type: String, Default: orders.example.com }
  CertArn: { Type: String }
Mappings:
  Ports: { prod: { https: 8443 } }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
Resources:
  Env: { Type: AWS::SSM::Parameter }
  Nlb: { Type: AWS::ElasticLoadBalancingV2::LoadBalancer }
  X:
    Type: AWS::ApiGateway::Method
    Properties:
      A: !Sub "https://${Domain}:${Port}/${Nlb.DNSName}/${!Literal}"
      B: !Join [",", [!Ref CertArn, !Ref "AWS::Partition", !FindInMap [Ports, prod, https]]]
      C: !Select [1, !Split ["/", "a/b/c"]]
      D: !ImportValue net-VpcId
      E: !Ref AWS::NoValue
      F: !GetAZs ""
"#,
        );
        let values = Values::default();
        let t = Template::new(&doc, &values).expect("indexes");
        let x = t.resource("X").expect("resource");
        let props = x.node.get("Properties").expect("properties");
        let error = t
            .resolve(props.get("A").expect("A"), "/a")
            .expect_err("Port is unknown");
        assert!(
            error
                .to_string()
                .contains("Ref \"Port\" names no parameter"),
            "{error}"
        );
        let b = t.text(props.get("B").expect("B"), "/b").expect("ok");
        assert_eq!(b.as_deref(), Some("${CertArn},aws,8443"));
        let c = t.text(props.get("C").expect("C"), "/c").expect("ok");
        assert_eq!(c.as_deref(), Some("b"));
        let d = t.text(props.get("D").expect("D"), "/d").expect("ok");
        assert_eq!(d.as_deref(), Some("${import:net-VpcId}"));
        assert!(
            t.resolve(props.get("E").expect("E"), "/e")
                .expect("ok")
                .is_none()
        );
        let f = t.text(props.get("F").expect("F"), "/f").expect("ok");
        assert_eq!(f.as_deref(), Some("${unresolved:/f}"));
        let warnings: Vec<String> = t.take_warnings().iter().map(ToString::to_string).collect();
        assert!(
            warnings.iter().any(|w| w.contains("net-VpcId")),
            "{warnings:?}"
        );
        assert!(
            warnings.iter().any(|w| w.contains("Fn::GetAZs")),
            "{warnings:?}"
        );
        // Env is a resource: its value is unknown, so IsProd is taken as false.
        assert!(t.condition("NotProd", "/", props).expect("evaluates"));
        assert!(!t.condition("IsProd", "/", props).expect("evaluates"));
    }

    #[test]
    fn sub_keeps_deployment_values_as_placeholders() {
        let doc = template(
            "Parameters:\n  Domain: { Type: String, Default: orders.example.com }\nResources:\n  Nlb: { Type: AWS::ElasticLoadBalancingV2::LoadBalancer }\n  X:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      A: !Sub \"https://${Domain}/${Nlb.DNSName}/${Nlb}/${!Literal}\"\n",
        );
        let values = Values::default();
        let t = Template::new(&doc, &values).expect("indexes");
        let a = t
            .resource("X")
            .and_then(|x| x.node.get("Properties"))
            .and_then(|p| p.get("A"))
            .expect("A");
        assert_eq!(
            t.text(a, "/a").expect("ok").as_deref(),
            Some("https://orders.example.com/${Nlb.DNSName}/${Nlb}/${Literal}")
        );
    }

    #[test]
    fn cycles_are_errors_naming_them() {
        let doc = template(
            "Resources:\n  A: { Type: AWS::ApiGateway::VpcLink, Properties: { TargetArns: [!Ref B] } }\n  B: { Type: AWS::ElasticLoadBalancingV2::LoadBalancer, Properties: { Name: !GetAtt A.Id } }\n",
        );
        let values = Values::default();
        let error = Template::new(&doc, &values).err().expect("a cycle");
        assert_eq!(
            error.to_string(),
            "t.yaml:2: /Resources/A: cyclic reference between resources: A -> B -> A (CloudFormation refuses circular dependencies)"
        );
        let doc = template(
            "Conditions:\n  A: !Condition B\n  B: !Not [!Condition A]\nResources:\n  X: { Type: AWS::ApiGateway::VpcLink, Condition: A }\n",
        );
        let t = Template::new(&doc, &values).expect("indexes");
        let error = t.exists(&t.resources[0]).expect_err("a cycle");
        assert!(
            error
                .to_string()
                .contains("cyclic reference between conditions: A -> B -> A"),
            "{error}"
        );
    }

    #[test]
    fn malformed_templates_are_located_errors() {
        let values = Values::default();
        let doc = template("Resources:\n  X: { Type: Not A Type }\n");
        let error = Template::new(&doc, &values).err().expect("bad type");
        assert!(
            error
                .to_string()
                .starts_with("t.yaml:2: /Resources/X/Type: unknown resource type"),
            "{error}"
        );
        let doc = template("Parameters: {}\n");
        assert!(Template::new(&doc, &values).is_err());
        let doc = template(
            "Resources:\n  X: { Type: AWS::ApiGateway::VpcLink, Properties: { A: !Ref Nope } }\n",
        );
        let t = Template::new(&doc, &values).expect("indexes");
        let a = t.resources[0]
            .node
            .get("Properties")
            .and_then(|p| p.get("A"))
            .expect("A");
        let error = t
            .resolve(a, "/Resources/X/Properties/A")
            .expect_err("unknown ref");
        assert!(error.to_string().contains("names no parameter"), "{error}");
    }
}
