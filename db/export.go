package db

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ExportFormat names the JSON export so import can recognise it.
const ExportFormat = "gatehouse-export"

// exportTables lists what an export holds, parents before children, and the
// columns left out of each: secrets (password hashes, TOTP secrets, sign-in
// counters, token hashes) and email keys, which the model computes again
// on import. Recovery codes are secrets through and through.
var exportTables = []struct {
	name    string
	omit    []string
	orderBy string
}{
	{"organisation", nil, "id"},
	{"roles", nil, "id"},
	{"role_permissions", nil, "role_id, module, action"},
	{"staff", []string{"password_hash", "totp_secret", "totp_last_step", "failed_attempts", "locked_until", "email_key"}, "id"},
	{"departments", nil, "id"},
	{"staff_departments", nil, "staff_id, department_id"},
	{"ssh_keys", nil, "id"},
	{"clients", nil, "id"},
	{"accounts", nil, "id"},
	{"client_members", nil, "client_id, staff_id"},
	{"account_access", nil, "account_id, staff_id"},
	{"invitations", []string{"token_hash", "email_key"}, "id"},
	{"connections", []string{"token_hash"}, "id"},
	{"connection_permissions", nil, "connection_id, module, action"},
	{"locks", nil, "id"},
	{"audit_log", nil, "id"},
}

// ExportHeader opens an export document.
type ExportHeader struct {
	Format        string `json:"format"`
	SchemaVersion int    `json:"schema_version"`
}

// ExportTable is one table of an export.
type ExportTable struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

// Export writes the whole organisation as JSON, without secrets: a header
// line, then one line per table. It streams each table from the read pool
// inside one read transaction, so the export is a consistent snapshot.
func (d *DB) Export(ctx context.Context, w io.Writer) error {
	tx, err := d.r.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer tx.Rollback()
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "{\"format\":%q,\"schema_version\":%d,\"tables\":[\n", ExportFormat, SchemaVersion())
	for i, t := range exportTables {
		cols, err := tableColumns(ctx, tx, t.name)
		if err != nil {
			return err
		}
		cols = slices.DeleteFunc(cols, func(c string) bool { return slices.Contains(t.omit, c) })
		colJSON, _ := json.Marshal(cols)
		fmt.Fprintf(bw, "{\"name\":%q,\"columns\":%s,\"rows\":[", t.name, colJSON)
		first := true
		what := "export " + t.name
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		err = eachRow(ctx, tx, what, func(r rowScanner) error {
			if err := r.Scan(ptrs...); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					vals[i] = string(b)
				}
			}
			line, err := json.Marshal(vals)
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			if !first {
				bw.WriteString(",")
			}
			first = false
			bw.WriteString("\n")
			bw.Write(line)
			return nil
		}, fmt.Sprintf("SELECT %s FROM %s ORDER BY %s", strings.Join(cols, ", "), t.name, t.orderBy))
		if err != nil {
			return err
		}
		sep := ","
		if i == len(exportTables)-1 {
			sep = ""
		}
		fmt.Fprintf(bw, "]}%s\n", sep)
	}
	bw.WriteString("]}\n")
	return bw.Flush()
}

func tableColumns(ctx context.Context, q Querier, table string) ([]string, error) {
	return queryAll(ctx, q, "columns of "+table, func(r rowScanner) (string, error) {
		var cid, notnull, pk int
		var name, typ string
		var dflt any
		err := r.Scan(&cid, &name, &typ, &notnull, &dflt, &pk)
		return name, err
	}, fmt.Sprintf("PRAGMA table_info(%s)", table))
}

// Import restores an export into this database, which must hold no
// organisation yet. Everything goes in in one transaction: a bad file
// leaves the database as it was. Secrets were never exported: members set
// a password again (their hash is empty, so they cannot sign in until
// an Owner resets it or they redeem a new invitation), pending invitation
// codes and connection tokens no longer work.
//
// check, when given, is called on every row before it is written (with the
// row's index in its table); its error refuses the whole file. record,
// when given, is called last in the same transaction with the rows
// written per table, to audit the import; its error refuses it too.
func (d *DB) Import(ctx context.Context, r io.Reader, check func(table string, columns []string, row []any, index int) error,
	record func(tx *sql.Tx, rows map[string]int) error) (int, error) {
	var doc struct {
		Format        string        `json:"format"`
		SchemaVersion int           `json:"schema_version"`
		Tables        []ExportTable `json:"tables"`
	}
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return 0, fmt.Errorf("import: not a Gatehouse export: %w", err)
	}
	if doc.Format != ExportFormat {
		return 0, fmt.Errorf("import: not a Gatehouse export (format %q)", doc.Format)
	}
	if doc.SchemaVersion != SchemaVersion() {
		return 0, fmt.Errorf("import: the export is of schema version %d, this Gatehouse has %d", doc.SchemaVersion, SchemaVersion())
	}
	n := 0
	err := d.Write(ctx, func(tx *sql.Tx) error {
		n = 0
		perTable := map[string]int{}
		var orgs int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM organisation`).Scan(&orgs); err != nil {
			return err
		}
		if orgs != 0 {
			return fmt.Errorf("import: this database already holds an organisation; import into a new file")
		}
		// The built-in roles come with the schema; the export has them too.
		if _, err := tx.ExecContext(ctx, `DELETE FROM roles`); err != nil {
			return err
		}
		known := map[string]bool{}
		for _, t := range exportTables {
			known[t.name] = true
		}
		for _, t := range doc.Tables {
			if !known[t.Name] {
				return fmt.Errorf("import: unknown table %q", t.Name)
			}
			cols, err := tableColumns(ctx, tx, t.Name)
			if err != nil {
				return err
			}
			for _, c := range t.Columns {
				if !slices.Contains(cols, c) {
					return fmt.Errorf("import: table %s has no column %q", t.Name, c)
				}
			}
			insertCols := slices.Clone(t.Columns)
			extra := map[string]func() any{}
			if t.Name == "invitations" {
				insertCols = append(insertCols, "token_hash")
				extra["token_hash"] = unusableToken
			}
			marks := strings.TrimSuffix(strings.Repeat("?, ", len(insertCols)), ", ")
			st, err := tx.PrepareContext(ctx, fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", t.Name, strings.Join(insertCols, ", "), marks))
			if err != nil {
				return fmt.Errorf("import %s: %w", t.Name, err)
			}
			for i, row := range t.Rows {
				if len(row) != len(t.Columns) {
					st.Close()
					return fmt.Errorf("import %s: row %d has %d values, want %d", t.Name, i+1, len(row), len(t.Columns))
				}
				if check != nil {
					if err := check(t.Name, t.Columns, row, i); err != nil {
						st.Close()
						return err
					}
				}
				args := make([]any, 0, len(insertCols))
				for _, v := range row {
					args = append(args, jsonValue(v))
				}
				for _, c := range insertCols[len(t.Columns):] {
					args = append(args, extra[c]())
				}
				if _, err := st.ExecContext(ctx, args...); err != nil {
					st.Close()
					return fmt.Errorf("import %s row %d: %w", t.Name, i+1, err)
				}
				n++
				perTable[t.Name]++
			}
			st.Close()
		}
		var fk int
		err := eachRow(ctx, tx, "import: foreign key check", func(rowScanner) error { fk++; return nil }, `PRAGMA foreign_key_check`)
		if err != nil {
			return err
		}
		if fk > 0 {
			return fmt.Errorf("import: %d rows point at records that are not in the file", fk)
		}
		// The log must arrive as it was written: a file edited on the way
		// would otherwise bring a chain that verify rejects afterwards.
		_, brk, err := VerifyAudit(ctx, tx)
		if err != nil {
			return fmt.Errorf("import: verify the audit log: %w", err)
		}
		if brk != nil {
			return fmt.Errorf("import: the audit log in the file does not verify: %s", brk.Reason)
		}
		if record != nil {
			return record(tx, perTable)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

func unusableToken() any {
	b := make([]byte, 16)
	rand.Read(b)
	return "imported-" + hex.EncodeToString(b)
}

// jsonValue turns a decoded JSON value back into what SQLite stored.
func jsonValue(v any) any {
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return i
		}
		f, _ := n.Float64()
		return f
	}
	return v
}
