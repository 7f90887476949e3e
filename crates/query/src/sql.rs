//! Lake SQL in: table references as Lake writes them, the SELECT-only guard, and the rewrites to DataFusion.

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use datafusion::sql::parser::{DFParser, Statement as DFStatement};
use datafusion::sql::sqlparser::ast::{ObjectNamePart, Statement, TableFactor, Visit, Visitor};
use datafusion::sql::sqlparser::dialect::GenericDialect;

use crate::error::QueryError;
use crate::rewrite::rewrite_statement;

/// A statement that passed the guard and was rewritten for DataFusion.
#[derive(Debug, Clone)]
pub struct PreparedStatement {
    /// The statement to plan.
    pub statement: DFStatement,
    /// The table names the statement reads, as written (stores to resolve).
    pub tables: BTreeSet<String>,
}

const SELECT_ONLY: &str = "auditlake runs SELECT statements only (and EXPLAIN of a SELECT)";

/// Parses Lake SQL, refuses anything but one SELECT, and rewrites Trino forms DataFusion lacks.
pub fn prepare(sql: &str) -> Result<PreparedStatement, QueryError> {
    let text = quote_table_ids(sql);
    let mut statements = DFParser::parse_sql_with_dialect(&text, &GenericDialect {})
        .map_err(QueryError::from_planning)?;
    let statement = match (statements.pop_front(), statements.is_empty()) {
        (None, _) => return Err(QueryError::Syntax("the query is empty".into())),
        (Some(statement), true) => statement,
        (Some(_), false) => {
            return Err(QueryError::NotSelect(format!(
                "{SELECT_ONLY}: give one statement per query"
            )));
        }
    };
    let mut statement = guard(statement)?;
    let tables = check_tables(&statement)?;
    rewrite_statement(&mut statement)?;
    Ok(PreparedStatement { statement, tables })
}

/// Accepts a query or EXPLAIN of one; names what else was given.
fn guard(statement: DFStatement) -> Result<DFStatement, QueryError> {
    let refuse = |what: &str| QueryError::NotSelect(format!("{SELECT_ONLY}; this is {what}"));
    match &statement {
        DFStatement::Statement(inner) => match inner.as_ref() {
            Statement::Query(_) => Ok(statement),
            Statement::Explain {
                statement: inner, ..
            } if matches!(inner.as_ref(), Statement::Query(_)) => Ok(statement),
            other => Err(refuse(&statement_kind(other))),
        },
        DFStatement::Explain(explain) => match explain.statement.as_ref() {
            DFStatement::Statement(inner) if matches!(inner.as_ref(), Statement::Query(_)) => {
                Ok(statement)
            }
            _ => Err(refuse("an EXPLAIN of a statement that is not a SELECT")),
        },
        DFStatement::CreateExternalTable(_) => Err(refuse("CREATE EXTERNAL TABLE")),
        DFStatement::CopyTo(_) => Err(refuse("COPY")),
        DFStatement::Reset(_) => Err(refuse("RESET")),
    }
}

/// The first keywords of a statement, for the refusal message ("INSERT", "DROP TABLE").
fn statement_kind(statement: &Statement) -> String {
    let text = statement.to_string();
    let words: Vec<&str> = text.split_whitespace().take(2).collect();
    match words.as_slice() {
        [first, second]
            if matches!(
                second.to_ascii_uppercase().as_str(),
                "TABLE" | "VIEW" | "SCHEMA" | "DATABASE" | "INDEX" | "FUNCTION" | "EXTERNAL"
            ) =>
        {
            format!(
                "{} {}",
                first.to_ascii_uppercase(),
                second.to_ascii_uppercase()
            )
        }
        [first, ..] => first.to_ascii_uppercase(),
        [] => "not a SELECT".into(),
    }
}

/// Collects the tables a query reads and refuses table functions and `SELECT ... INTO`.
fn check_tables(statement: &DFStatement) -> Result<BTreeSet<String>, QueryError> {
    struct Tables {
        names: BTreeSet<String>,
    }
    impl Visitor for Tables {
        type Break = QueryError;
        fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<QueryError> {
            match factor {
                TableFactor::Table {
                    name, args: None, ..
                } => {
                    let parts: Vec<String> = name
                        .0
                        .iter()
                        .map(|part| match part {
                            ObjectNamePart::Identifier(ident) => ident.value.clone(),
                            ObjectNamePart::Function(f) => f.name.value.clone(),
                        })
                        .collect();
                    self.names.insert(parts.join("."));
                    ControlFlow::Continue(())
                }
                TableFactor::Table { name, .. } | TableFactor::Function { name, .. } => {
                    ControlFlow::Break(QueryError::NotSelect(format!(
                        "table function {name}(...) is not allowed: a query reads only the lake's event data stores"
                    )))
                }
                _ => ControlFlow::Continue(()),
            }
        }
        fn pre_visit_select(
            &mut self,
            select: &datafusion::sql::sqlparser::ast::Select,
        ) -> ControlFlow<QueryError> {
            if select.into.is_some() {
                return ControlFlow::Break(QueryError::NotSelect(format!(
                    "{SELECT_ONLY}; SELECT ... INTO writes a table"
                )));
            }
            ControlFlow::Continue(())
        }
    }
    let mut tables = Tables {
        names: BTreeSet::new(),
    };
    let inner = match statement {
        DFStatement::Statement(inner) => inner.as_ref(),
        DFStatement::Explain(explain) => match explain.statement.as_ref() {
            DFStatement::Statement(inner) => inner.as_ref(),
            _ => return Ok(tables.names),
        },
        _ => return Ok(tables.names),
    };
    match inner.visit(&mut tables) {
        ControlFlow::Break(e) => Err(e),
        ControlFlow::Continue(()) => Ok(tables.names),
    }
}

/// Quotes table references that are not SQL identifiers but are how Lake names stores: a bare id in table
/// position (after FROM or JOIN, or after a comma in a FROM list) such as `FROM 0b5e1a2c-7d31-4f4e-9b1a-2a6f3c9d8e01`
/// becomes `FROM "0b5e1a2c-..."`. FROM inside an expression (`extract(day FROM t)`, `substring(s FROM 2)`,
/// `IS DISTINCT FROM a-b`), strings, quoted identifiers and comments are left alone.
pub(crate) fn quote_table_ids(sql: &str) -> String {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len() + 8);
    let mut i = 0;
    let mut copied = 0;
    // The next word is in table position.
    let mut table_position = false;
    // Inside a FROM list (until WHERE, GROUP, ...), where a comma starts another table.
    let mut in_from_list = false;
    let mut previous_word = String::new();
    // One entry per open parenthesis: does it hold a query (SELECT/WITH) rather than an expression?
    let mut parens: Vec<bool> = Vec::new();
    let is_word_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    while i < bytes.len() {
        let c = bytes[i];
        let in_query = parens.last().copied().unwrap_or(true);
        match c {
            b'\'' | b'"' | b'`' => {
                i = skip_quoted(bytes, i, c);
                table_position = false;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(bytes.len());
            }
            b'(' => {
                let rest = sql[i + 1..].trim_start().to_ascii_lowercase();
                let query = ["select", "with", "("].iter().any(|k| rest.starts_with(k));
                parens.push(query);
                table_position = false;
                in_from_list = false;
                i += 1;
            }
            b')' => {
                parens.pop();
                table_position = false;
                i += 1;
            }
            b',' => {
                table_position = in_from_list && in_query;
                i += 1;
            }
            c if is_word_byte(c) => {
                let start = i;
                while i < bytes.len() && is_word_byte(bytes[i]) {
                    i += 1;
                }
                if table_position {
                    // Extend over `-part` runs: a hyphenated id.
                    let mut end = i;
                    while end + 1 < bytes.len()
                        && bytes[end] == b'-'
                        && is_word_byte(bytes[end + 1])
                    {
                        end += 1;
                        while end < bytes.len() && is_word_byte(bytes[end]) {
                            end += 1;
                        }
                    }
                    let leading_digit = bytes[start].is_ascii_digit()
                        && bytes[start..end].iter().any(u8::is_ascii_alphabetic);
                    if end > i || leading_digit {
                        out.push_str(&sql[copied..start]);
                        out.push('"');
                        out.push_str(&sql[start..end]);
                        out.push('"');
                        copied = end;
                    }
                    i = end;
                    table_position = false;
                    previous_word.clear();
                    continue;
                }
                let word = sql[start..i].to_ascii_lowercase();
                match word.as_str() {
                    "from" if in_query && previous_word != "distinct" => {
                        table_position = true;
                        in_from_list = true;
                    }
                    "join" if in_query => table_position = true,
                    "where" | "group" | "order" | "having" | "limit" | "union" | "except"
                    | "intersect" | "on" | "using" | "window" | "qualify" => {
                        in_from_list = false;
                    }
                    _ => {}
                }
                previous_word = word;
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                table_position = false;
                i += 1;
            }
        }
    }
    out.push_str(&sql[copied..]);
    out
}

/// The index just past a quoted run starting at `start` (doubled quotes escape).
fn skip_quoted(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_ids_after_from_and_join_are_quoted() {
        assert_eq!(
            quote_table_ids("SELECT * FROM 0b5e1a2c-7d31-4f4e-9b1a-2a6f3c9d8e01 WHERE a-b > 1"),
            r#"SELECT * FROM "0b5e1a2c-7d31-4f4e-9b1a-2a6f3c9d8e01" WHERE a-b > 1"#
        );
        assert_eq!(
            quote_table_ids("select 1 from a join EXAMPLEf852-4e8f-8bd1 b on true"),
            r#"select 1 from a join "EXAMPLEf852-4e8f-8bd1" b on true"#
        );
        assert_eq!(
            quote_table_ids(
                "SELECT * FROM a, 0b5e-7d31 x, (SELECT 1 FROM c-d) y WHERE p IN (SELECT q FROM e-f)"
            ),
            r#"SELECT * FROM a, "0b5e-7d31" x, (SELECT 1 FROM "c-d") y WHERE p IN (SELECT q FROM "e-f")"#
        );
        assert_eq!(
            quote_table_ids("select 1 from\n  074365db2079 x"),
            "select 1 from\n  \"074365db2079\" x"
        );
    }

    #[test]
    fn strings_comments_and_plain_names_are_left_alone() {
        for sql in [
            "SELECT 'FROM a-b' FROM t",
            "SELECT * FROM prod_trail -- FROM a-b\n",
            "SELECT extract(day FROM eventtime), substring(x FROM 2) FROM \"a-b\"",
            "SELECT * /* from a-b */ FROM t",
            "SELECT a IS DISTINCT FROM b-c FROM t",
            "SELECT extract(day FROM t1-t2), substring(s FROM 1-2), trim(both 'x' FROM s-t) FROM t",
        ] {
            assert_eq!(quote_table_ids(sql), sql);
        }
    }

    #[test]
    fn only_one_select_passes_the_guard() {
        assert!(prepare("SELECT 1").is_ok());
        assert!(prepare("EXPLAIN SELECT 1").is_ok());
        for (sql, expected) in [
            ("INSERT INTO t VALUES (1)", "INSERT"),
            ("DROP TABLE t", "DROP TABLE"),
            ("DELETE FROM t", "DELETE"),
            ("UPDATE t SET a = 1", "UPDATE"),
            ("CREATE TABLE t (a int)", "CREATE TABLE"),
            (
                "CREATE EXTERNAL TABLE t STORED AS CSV LOCATION '/etc/passwd'",
                "CREATE EXTERNAL TABLE",
            ),
            ("COPY (SELECT 1) TO '/tmp/x.csv'", "COPY"),
            ("SET datafusion.execution.batch_size = 1", "SET"),
            ("SELECT 1; DROP TABLE t", "one statement"),
            ("EXPLAIN DELETE FROM t", "EXPLAIN"),
            (
                "SELECT * FROM read_parquet('/etc/passwd')",
                "table function",
            ),
            ("SELECT * INTO t2 FROM t", "INTO"),
        ] {
            let message = prepare(sql).expect_err(sql).to_string();
            assert!(
                message.contains("SELECT") || message.contains("table function"),
                "{sql}: {message}"
            );
            assert!(message.contains(expected), "{sql}: {message}");
        }
    }

    #[test]
    fn syntax_errors_say_where() {
        let message = prepare("SELECT * FROM t WHERE eventtime < = '2023'")
            .expect_err("bad sql")
            .to_string();
        assert!(message.contains("Line: 1"), "{message}");
    }

    #[test]
    fn tables_read_are_collected() {
        let prepared = prepare(
            "SELECT a FROM 0b5e1a2c-7d31-4f4e-9b1a-2a6f3c9d8e01 x JOIN prod y ON x.a = y.a \
             WHERE a IN (SELECT a FROM other)",
        )
        .expect("prepare");
        let tables: Vec<&str> = prepared.tables.iter().map(String::as_str).collect();
        assert_eq!(
            tables,
            ["0b5e1a2c-7d31-4f4e-9b1a-2a6f3c9d8e01", "other", "prod"]
        );
    }
}
