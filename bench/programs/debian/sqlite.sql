-- Guest side of bench/programs: a small database workload for Debian's sqlite3 (sqlite.sh):
-- bulk insert, indexes, range and grouped queries, an update, a join and a delete.
PRAGMA cache_size = -16000;
CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c REAL);
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 25000)
INSERT INTO t SELECT i, (i * 1103515245 + 12345) % 1000003, printf('name-%d', (i * 7919) % 20000), (i % 1000) / 8.0 FROM n;
COMMIT;
CREATE INDEX t_a ON t(a);
CREATE INDEX t_b ON t(b);
SELECT count(*), sum(a) FROM t;
SELECT count(*) FROM t WHERE a BETWEEN 1000 AND 300000;
SELECT b, count(*) FROM t WHERE b LIKE 'name-1%' GROUP BY b ORDER BY count(*) DESC, b LIMIT 2;
UPDATE t SET c = c * 2 WHERE id % 3 = 0;
SELECT sum(c) FROM t;
CREATE TABLE u AS SELECT a % 1000 AS k, count(*) AS n FROM t GROUP BY k;
SELECT sum(t.a % 97 * u.n) FROM t JOIN u ON u.k = t.a % 1000 WHERE t.id % 10 = 0;
DELETE FROM t WHERE a % 5 = 0;
SELECT count(*), max(b) FROM t;
