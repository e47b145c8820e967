package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mattn/go-sqlite3"
)

// Backup copies the database to dest with SQLite's online backup API: a
// consistent snapshot taken while the app may be in use (readers and
// writers in other sessions carry on). dest must not exist; it is created
// readable by the owner only, like the database itself.
func (d *DB) Backup(ctx context.Context, dest string) error {
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("backup: %s already exists; choose a new file", dest)
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o700); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	f, err := os.OpenFile(dest, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	f.Close()
	err = d.backupTo(ctx, dest)
	if err != nil {
		os.Remove(dest)
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	return nil
}

func (d *DB) backupTo(ctx context.Context, dest string) error {
	dstDB, err := sql.Open("sqlite3", "file:"+dest)
	if err != nil {
		return err
	}
	defer dstDB.Close()
	dstConn, err := dstDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer dstConn.Close()
	srcConn, err := d.r.Conn(ctx)
	if err != nil {
		return err
	}
	defer srcConn.Close()
	return dstConn.Raw(func(dst any) error {
		return srcConn.Raw(func(src any) error {
			dc, ok1 := dst.(*sqlite3.SQLiteConn)
			sc, ok2 := src.(*sqlite3.SQLiteConn)
			if !ok1 || !ok2 {
				return errors.New("unexpected driver connection")
			}
			b, err := dc.Backup("main", sc, "main")
			if err != nil {
				return err
			}
			// Copy in steps so that writers are not held up for the whole
			// copy; a step restarts by itself if a writer changed the source.
			for {
				done, err := b.Step(256)
				if err != nil {
					b.Close()
					return err
				}
				if done {
					break
				}
				if ctx.Err() != nil {
					b.Close()
					return ctx.Err()
				}
			}
			return b.Finish()
		})
	})
}

// IntegrityCheck runs PRAGMA integrity_check and foreign_key_check and
// returns their complaints (none when the file is sound).
func IntegrityCheck(ctx context.Context, q Querier) ([]string, error) {
	integrity, err := queryAll(ctx, q, "integrity check", scanString, `PRAGMA integrity_check`)
	if err != nil {
		return nil, err
	}
	var problems []string
	for _, s := range integrity {
		if s != "ok" {
			problems = append(problems, "integrity: "+s)
		}
	}
	foreign, err := queryAll(ctx, q, "foreign key check", scanForeignKeyProblem, `PRAGMA foreign_key_check`)
	if err != nil {
		return nil, err
	}
	return append(problems, foreign...), nil
}

// scanForeignKeyProblem reads a row of PRAGMA foreign_key_check as a line.
func scanForeignKeyProblem(r rowScanner) (string, error) {
	var table, parent string
	var rowid, fkid sql.NullInt64
	err := r.Scan(&table, &rowid, &parent, &fkid)
	return fmt.Sprintf("foreign key: %s row %d points at a missing %s", table, rowid.Int64, parent), err
}
