//! Rewrites of Trino forms that DataFusion does not plan as Lake means them.
//!
//! - `if(c, a[, b])` → `CASE WHEN c THEN a [ELSE b] END`
//! - `count_if(c)` → `count(CASE WHEN c THEN 1 END)`
//! - `arbitrary(x)` → `first_value(x)`
//! - `max_by(x, y)` / `min_by(x, y)` → `first_value(x ORDER BY y DESC|ASC) FILTER (WHERE y IS NOT NULL)`
//! - `try(CAST(x AS t))` → `TRY_CAST(x AS t)`; `try(e)` → `e`
//! - `replace(s, x)` → `replace(s, x, '')`; `split(s, d)` → `string_to_array(s, d)`
//! - `approx_percentile(x, p)` → `approx_percentile_cont(x, p)`
//! - dot access on an expression, `element_at(resources, 1).arn` → `get_field(element_at(resources, 1), 'arn')`
//! - `CAST(x AS map(varchar, json))` → `json_to_map(x, 'json')` (and `map(varchar, varchar)`)
//! - `sessionCredentialFromConsole = true` (a string column in Lake) compares with the text `'true'`
//! - `x IS [NOT] DISTINCT FROM y AND z` binds as Trino binds it, `(x IS DISTINCT FROM y) AND z` (sqlparser reads
//!   the whole `y AND z` as the right side)
//! - unaliased select items are named as Lake names them: a struct path by its last field
//!   (`userIdentity.principalid` → `principalid`), any other expression `_col<position>`.

use std::collections::HashSet;
use std::ops::ControlFlow;

use datafusion::sql::parser::Statement as DFStatement;
use datafusion::sql::sqlparser::ast::DataType;
use datafusion::sql::sqlparser::ast::{
    AccessExpr, BinaryOperator, CastKind, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArgumentList, FunctionArguments, Ident, ObjectName, ObjectNamePart, Select, SelectItem,
    VisitMut, VisitorMut,
};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;

use crate::error::QueryError;

/// Applies every rewrite to a statement in place.
pub(crate) fn rewrite_statement(statement: &mut DFStatement) -> Result<(), QueryError> {
    let mut rewriter = Rewriter;
    let flow = match statement {
        DFStatement::Statement(inner) => inner.visit(&mut rewriter),
        DFStatement::Explain(explain) => match explain.statement.as_mut() {
            DFStatement::Statement(inner) => inner.visit(&mut rewriter),
            _ => ControlFlow::Continue(()),
        },
        _ => ControlFlow::Continue(()),
    };
    match flow {
        ControlFlow::Break(e) => Err(e),
        ControlFlow::Continue(()) => Ok(()),
    }
}

struct Rewriter;

impl VisitorMut for Rewriter {
    type Break = QueryError;

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<QueryError> {
        rebind_is_distinct_from(expr);
        match rewrite_expr(expr) {
            Ok(Some(new)) => *expr = new,
            Ok(None) => {}
            Err(e) => return ControlFlow::Break(e),
        }
        ControlFlow::Continue(())
    }

    fn post_visit_select(&mut self, select: &mut Select) -> ControlFlow<QueryError> {
        name_select_items(select);
        ControlFlow::Continue(())
    }
}

/// `x IS [NOT] DISTINCT FROM (y AND z)`, as sqlparser reads `x IS DISTINCT FROM y AND z`, becomes
/// `(x IS DISTINCT FROM y) AND z`, as Trino reads it: the comparison takes the leftmost operand of the AND/OR
/// chain on its right. Parentheses written in the query are kept (they are `Expr::Nested`).
fn rebind_is_distinct_from(expr: &mut Expr) {
    let (Expr::IsDistinctFrom(_, right) | Expr::IsNotDistinctFrom(_, right)) = expr else {
        return;
    };
    if !matches!(
        right.as_ref(),
        Expr::BinaryOp {
            op: BinaryOperator::And | BinaryOperator::Or,
            ..
        }
    ) {
        return;
    }
    let placeholder = Expr::Value(datafusion::sql::sqlparser::ast::Value::Null.into());
    let taken = std::mem::replace(expr, placeholder);
    let (left, right, negated) = match taken {
        Expr::IsDistinctFrom(l, r) => (l, r, false),
        Expr::IsNotDistinctFrom(l, r) => (l, r, true),
        other => {
            *expr = other;
            return;
        }
    };
    let rebuild = |l, r| {
        if negated {
            Expr::IsNotDistinctFrom(l, r)
        } else {
            Expr::IsDistinctFrom(l, r)
        }
    };
    *expr = match *right {
        Expr::BinaryOp {
            left: first,
            op,
            right: rest,
        } => {
            let mut comparison = rebuild(left, first);
            rebind_is_distinct_from(&mut comparison);
            Expr::BinaryOp {
                left: Box::new(comparison),
                op,
                right: rest,
            }
        }
        other => rebuild(left, Box::new(other)),
    };
}

fn parse_expr(text: &str) -> Result<Expr, QueryError> {
    Parser::new(&GenericDialect {})
        .try_with_sql(text)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| QueryError::Plan(format!("internal rewrite of '{text}' failed: {e}")))
}

/// The plain positional arguments of a call, if that is all it has.
fn plain_args(function: &Function) -> Option<Vec<&Expr>> {
    let FunctionArguments::List(list) = &function.args else {
        return None;
    };
    if !list.clauses.is_empty() || list.duplicate_treatment.is_some() {
        return None;
    }
    list.args
        .iter()
        .map(|arg| match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
            _ => None,
        })
        .collect()
}

fn function_name(function: &Function) -> Option<String> {
    match function.name.0.as_slice() {
        [ObjectNamePart::Identifier(ident)] if ident.quote_style.is_none() => {
            Some(ident.value.to_ascii_lowercase())
        }
        _ => None,
    }
}

fn rename(function: &mut Function, name: &str) {
    function.name = ObjectName(vec![ObjectNamePart::Identifier(Ident::new(name))]);
}

/// Lake columns of type string that hold `true`/`false`: comparing them with a boolean literal compares the text.
const BOOLEAN_TEXT_COLUMNS: &[&str] = &["sessioncredentialfromconsole"];

fn boolean_text_column(expr: &Expr) -> bool {
    let name = match expr {
        Expr::Identifier(ident) => &ident.value,
        Expr::CompoundIdentifier(parts) => match parts.last() {
            Some(ident) => &ident.value,
            None => return false,
        },
        _ => return false,
    };
    BOOLEAN_TEXT_COLUMNS
        .iter()
        .any(|c| c.eq_ignore_ascii_case(name))
}

fn boolean_literal(expr: &Expr) -> Option<bool> {
    match expr {
        Expr::Value(v) => match &v.value {
            datafusion::sql::sqlparser::ast::Value::Boolean(b) => Some(*b),
            _ => None,
        },
        _ => None,
    }
}

/// `CAST(x AS map(varchar, json|varchar))` (Trino's cast of JSON to a map) as `json_to_map(x, 'json'|'varchar')`.
fn rewrite_map_cast(expr: &Expr, data_type: &DataType) -> Result<Option<Expr>, QueryError> {
    let DataType::Map(key, value) = data_type else {
        return Ok(None);
    };
    let text = |t: &DataType| {
        matches!(
            t,
            DataType::Varchar(_) | DataType::String(_) | DataType::Text
        )
    };
    if !text(key) {
        return Ok(None);
    }
    let kind = match value.as_ref() {
        DataType::JSON => "json",
        t if text(t) => "varchar",
        _ => return Ok(None),
    };
    parse_expr(&format!("json_to_map({expr}, '{kind}')")).map(Some)
}

fn rewrite_expr(expr: &mut Expr) -> Result<Option<Expr>, QueryError> {
    match expr {
        Expr::Cast {
            expr: inner,
            data_type,
            ..
        } => rewrite_map_cast(inner, data_type),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Eq | BinaryOperator::NotEq,
            right,
        } => {
            let text = |b: bool| {
                Box::new(Expr::Value(
                    datafusion::sql::sqlparser::ast::Value::SingleQuotedString(b.to_string())
                        .into(),
                ))
            };
            if boolean_text_column(left)
                && let Some(b) = boolean_literal(right)
            {
                *right = text(b);
            } else if boolean_text_column(right)
                && let Some(b) = boolean_literal(left)
            {
                *left = text(b);
            }
            Ok(None)
        }
        Expr::Function(function) => rewrite_function(function),
        Expr::CompoundFieldAccess { root, access_chain } => {
            Ok(rewrite_field_access(root, access_chain))
        }
        _ => Ok(None),
    }
}

fn rewrite_function(function: &mut Function) -> Result<Option<Expr>, QueryError> {
    let Some(name) = function_name(function) else {
        return Ok(None);
    };
    let args: Option<Vec<String>> =
        plain_args(function).map(|args| args.iter().map(|a| a.to_string()).collect());
    let plain = function.over.is_none() && function.filter.is_none();
    match (name.as_str(), args.as_deref()) {
        ("if", Some([c, a])) => parse_expr(&format!("CASE WHEN {c} THEN {a} END")).map(Some),
        ("if", Some([c, a, b])) => {
            parse_expr(&format!("CASE WHEN {c} THEN {a} ELSE {b} END")).map(Some)
        }
        ("count_if", Some([c])) => {
            let case = parse_expr(&format!("CASE WHEN {c} THEN 1 END"))?;
            rename(function, "count");
            set_args(function, vec![case]);
            Ok(None)
        }
        ("arbitrary", Some([_])) => {
            rename(function, "first_value");
            Ok(None)
        }
        ("max_by" | "min_by", Some([x, y])) if plain => {
            let order = if name == "max_by" { "DESC" } else { "ASC" };
            parse_expr(&format!(
                "first_value({x} ORDER BY {y} {order}) FILTER (WHERE {y} IS NOT NULL)"
            ))
            .map(Some)
        }
        ("try", Some([_])) => {
            let Some(inner) = plain_args(function).and_then(|a| a.first().map(|e| (*e).clone()))
            else {
                return Ok(None);
            };
            Ok(Some(match inner {
                Expr::Cast {
                    kind: CastKind::Cast,
                    expr,
                    data_type,
                    array,
                    format,
                } => Expr::Cast {
                    kind: CastKind::TryCast,
                    expr,
                    data_type,
                    array,
                    format,
                },
                other => other,
            }))
        }
        ("replace", Some([s, x])) => parse_expr(&format!("replace({s}, {x}, '')")).map(Some),
        ("split", Some([_, _])) => {
            rename(function, "string_to_array");
            Ok(None)
        }
        ("approx_percentile", Some([_, _])) => {
            rename(function, "approx_percentile_cont");
            Ok(None)
        }
        _ => Ok(None),
    }
}

fn set_args(function: &mut Function, args: Vec<Expr>) {
    if let FunctionArguments::List(list) = &mut function.args {
        list.args = args
            .into_iter()
            .map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e)))
            .collect();
    }
}

/// `expr.field` on anything but a column path becomes `get_field(expr, 'field')`.
fn rewrite_field_access(root: &Expr, access_chain: &[AccessExpr]) -> Option<Expr> {
    let column_root = matches!(root, Expr::Identifier(_) | Expr::CompoundIdentifier(_));
    let only_dots = access_chain.iter().all(|a| matches!(a, AccessExpr::Dot(_)));
    if column_root && only_dots || !access_chain.iter().any(|a| matches!(a, AccessExpr::Dot(_))) {
        return None;
    }
    let mut current = root.clone();
    for access in access_chain {
        current = match access {
            AccessExpr::Dot(Expr::Identifier(ident)) => {
                let field = if ident.quote_style.is_some() {
                    ident.value.clone()
                } else {
                    ident.value.to_ascii_lowercase()
                };
                get_field(current, &field)
            }
            AccessExpr::Dot(other) => {
                // `a.b.c` after an expression arrives as one compound identifier.
                let Expr::CompoundIdentifier(parts) = other else {
                    return None;
                };
                parts.iter().fold(current, |acc, ident| {
                    let field = if ident.quote_style.is_some() {
                        ident.value.clone()
                    } else {
                        ident.value.to_ascii_lowercase()
                    };
                    get_field(acc, &field)
                })
            }
            AccessExpr::Subscript(_) => Expr::CompoundFieldAccess {
                root: Box::new(current),
                access_chain: vec![access.clone()],
            },
        };
    }
    Some(current)
}

fn get_field(expr: Expr, field: &str) -> Expr {
    let mut function = Function {
        name: ObjectName(vec![ObjectNamePart::Identifier(Ident::new("get_field"))]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: vec![],
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    };
    set_args(
        &mut function,
        vec![
            expr,
            Expr::Value(
                datafusion::sql::sqlparser::ast::Value::SingleQuotedString(field.to_owned()).into(),
            ),
        ],
    );
    Expr::Function(function)
}

/// Names unaliased select items the way Lake (Trino) names result columns.
fn name_select_items(select: &mut Select) {
    let taken: HashSet<String> = select
        .projection
        .iter()
        .filter_map(|item| match item {
            SelectItem::ExprWithAlias { alias, .. } => Some(alias.value.to_ascii_lowercase()),
            SelectItem::UnnamedExpr(Expr::Identifier(ident)) => {
                Some(ident.value.to_ascii_lowercase())
            }
            _ => None,
        })
        .collect();
    let mut last_parts: Vec<Option<String>> = Vec::new();
    for item in &select.projection {
        last_parts.push(match item {
            SelectItem::UnnamedExpr(Expr::CompoundIdentifier(parts)) => {
                parts.last().map(|p| p.value.to_ascii_lowercase())
            }
            _ => None,
        });
    }
    for (position, item) in select.projection.iter_mut().enumerate() {
        let SelectItem::UnnamedExpr(expr) = item else {
            continue;
        };
        let alias = match expr {
            Expr::Identifier(_) => continue,
            Expr::CompoundIdentifier(_) => {
                let Some(Some(last)) = last_parts.get(position) else {
                    continue;
                };
                let clashes = taken.contains(last)
                    || last_parts
                        .iter()
                        .enumerate()
                        .any(|(i, other)| i != position && other.as_deref() == Some(last));
                if clashes {
                    continue;
                }
                last.clone()
            }
            _ => format!("_col{position}"),
        };
        *item = SelectItem::ExprWithAlias {
            expr: expr.clone(),
            alias: Ident::new(alias),
        };
    }
}

#[cfg(test)]
mod tests {
    use crate::sql::prepare;

    fn rewritten(sql: &str) -> String {
        prepare(sql).expect(sql).statement.to_string()
    }

    #[test]
    fn trino_functions_become_datafusion_forms() {
        assert_eq!(
            rewritten("SELECT if(readonly, 'read', 'write') AS k FROM t"),
            "SELECT CASE WHEN readonly THEN 'read' ELSE 'write' END AS k FROM t"
        );
        assert_eq!(
            rewritten("SELECT count_if(errorcode IS NOT NULL) AS n FROM t"),
            "SELECT count(CASE WHEN errorcode IS NOT NULL THEN 1 END) AS n FROM t"
        );
        assert_eq!(
            rewritten("SELECT max_by(a, eventtime) AS m FROM t"),
            "SELECT first_value(a ORDER BY eventtime DESC) FILTER (WHERE eventtime IS NOT NULL) AS m FROM t"
        );
        assert_eq!(
            rewritten("SELECT try(CAST(a AS INT)) AS m FROM t"),
            "SELECT TRY_CAST(a AS INT) AS m FROM t"
        );
        assert_eq!(
            rewritten("SELECT replace(eventsource, '.amazonaws.com') AS s FROM t"),
            "SELECT replace(eventsource, '.amazonaws.com', '') AS s FROM t"
        );
    }

    #[test]
    fn dot_access_on_expressions_becomes_get_field() {
        assert_eq!(
            rewritten("SELECT element_at(resources, 1).ARN AS a FROM t"),
            "SELECT get_field(element_at(resources, 1), 'arn') AS a FROM t"
        );
        assert_eq!(
            rewritten("SELECT useridentity.sessioncontext.sessionissuer.arn AS a FROM t"),
            "SELECT useridentity.sessioncontext.sessionissuer.arn AS a FROM t"
        );
    }

    #[test]
    fn unaliased_items_get_lake_names() {
        assert_eq!(
            rewritten("SELECT eventname, userIdentity.principalId, count(*) FROM t GROUP BY 1, 2"),
            "SELECT eventname, userIdentity.principalId AS principalid, count(*) AS _col2 FROM t GROUP BY 1, 2"
        );
        // Two columns of the same name from two tables keep their qualified names.
        assert_eq!(
            rewritten("SELECT a.eventname, b.eventname FROM a JOIN b ON true"),
            "SELECT a.eventname, b.eventname FROM a JOIN b ON true"
        );
    }
}
