//! Schema upgrades: a frozen version-1 file opens with the current code, keeps its data,
//! and ends with the same schema as a fresh database; a newer file is refused in words.

mod common;

use antre_hub::store::{schema, SchemaError, Store};
use rusqlite::Connection;

fn schema_of(conn: &Connection) -> Vec<(String, String, Option<String>)> {
    conn.prepare(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .unwrap()
    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

#[test]
fn a_frozen_version_1_file_upgrades_to_the_current_schema() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("v1.db");
    let conn = Connection::open(&old).unwrap();
    conn.execute_batch(include_str!("data/schema-v1.sql"))
        .unwrap();
    drop(conn);

    let store = Store::open(&old).unwrap();
    let conn = store.connection();
    let version: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, schema::VERSION);
    let codes: Vec<(String, i64, String)> = conn
        .prepare("SELECT prefix, number, status FROM tickets ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        codes,
        vec![
            ("A".into(), 1, "done".into()),
            ("A".into(), 2, "waiting".into())
        ]
    );
    assert_eq!(store.last_seq().unwrap(), 1);

    let fresh = dir.path().join("fresh.db");
    let fresh_store = Store::open(&fresh).unwrap();
    assert_eq!(schema_of(conn), schema_of(fresh_store.connection()));
}

#[test]
fn a_file_from_a_newer_hub_is_refused_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    match Store::open(&path) {
        Err(e @ SchemaError::TooNew { found: 99 }) => {
            assert!(e.to_string().contains("newer than this hub"), "{e}");
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a newer file must be refused"),
    }
}

#[test]
fn the_database_is_in_wal_mode_with_full_sync_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("a.db")).unwrap();
    let conn = store.connection();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    let sync: i64 = conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    let fk: i64 = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!((mode.as_str(), sync, fk), ("wal", 2, 1));
}
