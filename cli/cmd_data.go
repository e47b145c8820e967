package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	flag "github.com/spf13/pflag"

	"gatehouse/db"
	"gatehouse/model"
)

func init() {
	register(&command{
		name: "backup", args: "FILE",
		summary: "Copy the database to a new FILE while it stays in use (SQLite's online backup).\n" +
			"The copy holds everything, secrets included, so it is created readable by its owner only.",
		example: "gatehouse backup /var/backups/gatehouse-2026-01-31.db",
		run:     backup,
	})
	register(&command{
		name: "export", args: "--format json [--out FILE]",
		summary: "Write the whole organisation as JSON, without secrets (passwords, TOTP secrets, tokens).\n" +
			"'gatehouse import' restores it into a new database.",
		example: "gatehouse export --format json --out northwind.json",
		flags: func(fs *flag.FlagSet) {
			fs.String("format", "json", "`json` (the only format)")
			fs.String("out", "", "write to `file` (created readable by its owner only; default: standard output)")
		},
		run: export,
	})
	register(&command{
		name: "import", args: "FILE",
		summary: "Restore an export into a new or empty database (FILE '-' reads standard input).\n" +
			"All or nothing: a bad file changes nothing. Secrets were not exported, so members need new\n" +
			"passwords ('gatehouse staff set-password'). The audit log comes across whole and an org.import entry\n" +
			"(who, the file's name and SHA-256) is chained after it; the rows are taken as the file gives them.",
		example: "gatehouse import northwind.json --db /tmp/restored.db",
		run:     importOrg,
	})
	register(&command{
		name: "staff bulk-invite", args: "--file FILE|- --role ROLE [--message M]",
		summary: "Invite many addresses (one a line; commas and semicolons also split) with one role.\n" +
			"Prints each line's code and the command that redeems it, or why it was refused; the valid\n" +
			"addresses are invited together in one transaction. Exit 1 if any line was refused.",
		example: "gatehouse staff bulk-invite --file new-hires.txt --role Advisor --message 'Welcome aboard'",
		flags: func(fs *flag.FlagSet) {
			fs.String("file", "", "read the addresses from `file` ('-': standard input; required)")
			fs.String("role", "Advisor", "the `role` they all get")
			fs.String("message", "", "a personal `message` shown with each invitation")
		},
		run: staffBulkInvite,
	})
	register(&command{
		name: "clients reassign", args: "--from EMAIL --to EMAIL|--unowned [--client NAME]...",
		summary: "Move client folders from one owner to another (or to nobody) in one transaction.\n" +
			"Without --client, every folder the first member owns moves.",
		example: `gatehouse clients reassign --from sara.lindqvist@northwind.example --to marcus.reid@northwind.example --client "Acme Ltd"`,
		flags: func(fs *flag.FlagSet) {
			fs.String("from", "", "the current owner (`email`; required)")
			fs.String("to", "", "the new owner, an active member (`email`)")
			fs.Bool("unowned", false, "leave the folders without an owner instead of --to")
			fs.Var(&stringList{}, "client", "only this client folder (`name`; repeatable)")
		},
		run: clientsReassign,
	})
	register(&command{
		name: "check-db", args: "[--anchor FILE|HASH]... [--anchor-key FILE]",
		summary: "Check the database file: its integrity, foreign keys and audit hash chain.\n" +
			"Runs SQLite's integrity_check and foreign_key_check and walks the audit hash chain, in one\n" +
			"report, checking the log against its checkpoints (the anchor file beside the database, or\n" +
			"--anchor) and its high-water mark. Exit 1 on any problem.",
		example: "gatehouse check-db --anchor /mnt/offsite/gatehouse.db.anchors",
		flags: func(fs *flag.FlagSet) {
			fs.Var(&stringList{}, "anchor", "an anchor `file`, or a head hash recorded elsewhere; repeatable (default: the anchor file beside the database)")
			fs.String("anchor-key", "", "the anchor key `file` (default: $GATEHOUSE_ANCHOR_KEY, else DB"+model.AnchorKeySuffix+")")
		},
		run: checkDB,
	})
	// They read or write the server's files, or create organisations.
	for _, name := range []string{"backup", "import", "check-db"} {
		localCommands[name] = true
	}
}

func backup(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "FILE"); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	if err := svc.Backup(ctx, a.actor(), args[0]); err != nil {
		return err
	}
	st, err := os.Stat(args[0])
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(a.stdout, "Backed up %s to %s (%d bytes).\n", a.dbPath, Sanitize(args[0]), st.Size())
	fmt.Fprintf(a.stdout, "Open the copy with:\n  gatehouse --db %s\n", shellQuote(args[0]))
	return nil
}

func export(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	if f := strings.ToLower(flagString(fs, "format")); f != "json" {
		return usagef("--format is json")
	}
	out := flagString(fs, "out")
	if out != "" && a.remote {
		return usagef("--out cannot be given over SSH; the export goes to standard output")
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	if out == "" {
		bw := bufio.NewWriter(a.stdout)
		if err := svc.Export(ctx, a.actor(), bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	return writeFileAtomically(out, func(w io.Writer) error { return svc.Export(ctx, a.actor(), w) }, func(n int64) {
		fmt.Fprintf(a.stderr, "Exported the organisation to %s (%d bytes).\n", Sanitize(out), n)
	})
}

// writeFileAtomically writes a new file (mode 0600) through a temporary
// file in the same directory, renamed into place only when write
// succeeded: an interrupted export never leaves a truncated file that
// looks whole.
func writeFileAtomically(path string, write func(io.Writer) error, done func(size int64)) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s already exists; choose a new file", path)
	}
	tmp, err := os.CreateTemp(dirOf(path), ".gatehouse-export-*")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriter(tmp)
	if err := write(bw); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("export: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("export: %w", err)
	}
	st, _ := tmp.Stat()
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if st != nil {
		done(st.Size())
	}
	return nil
}

func dirOf(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		if i == 0 {
			return "/"
		}
		return path[:i]
	}
	return "."
}

func importOrg(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "FILE"); err != nil {
		return err
	}
	var r io.Reader = a.stdin
	source := "standard input"
	if args[0] != "-" {
		f, err := os.Open(args[0])
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		r, source = f, args[0]
	}
	if err := a.resolvePath(); err != nil {
		return err
	}
	// A file this import creates is removed again if the import fails:
	// a refused file leaves nothing behind.
	_, statErr := os.Stat(a.dbPath)
	created := !a.remote && errors.Is(statErr, os.ErrNotExist)
	svc, err := a.open(ctx)
	if err != nil {
		return err
	}
	if has, err := svc.HasOrg(ctx); err != nil {
		return err
	} else if has {
		return fmt.Errorf("%s already holds an organisation; import into a new file (--db PATH); nothing was changed", a.dbPath)
	}
	res, err := svc.Import(ctx, a.actor(), bufio.NewReader(r), source)
	if err != nil {
		if created {
			a.removeCreated()
		}
		return err
	}
	org, _ := svc.Org(ctx)
	_, brk, err := svc.VerifyAudit(ctx)
	if err != nil {
		return fmt.Errorf("import: verify audit: %w", err)
	}
	if brk != nil {
		return fmt.Errorf("import: the imported audit chain is broken at entry %d: %s", brk.ID, Sanitize(brk.Reason))
	}
	// The chain vouches for the log, not for the rows beside it: an
	// edited role or membership imports with an intact chain.
	fmt.Fprintf(a.stdout, "Imported %s into %s: %d rows, taken as the file gives them; the audit log it carries (%d entries) verifies as a chain, which vouches for that log, not for the rows.\n",
		Sanitize(org.Name), a.dbPath, res.Rows, res.AuditEntries)
	a.noteID("audit", res.EntryID)
	fmt.Fprintf(a.stdout, "Recorded as audit entry %d (org.import): %s, SHA-256 %s.\n", res.EntryID, Sanitize(source), res.SHA256)
	fmt.Fprintln(a.stdout, "Passwords, 2FA secrets, connection tokens and pending invitation codes were not exported:")
	fmt.Fprintln(a.stdout, "give each member a new password on this machine before they sign in, the Owner first:")
	fmt.Fprintf(a.stdout, "  gatehouse staff set-password EMAIL%s\n", a.dbArg())
	return nil
}

// removeCreated closes the database a failed import created and removes
// its files.
func (a *app) removeCreated() {
	if a.svc != nil {
		a.svc.Close()
		a.svc = nil
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(a.dbPath + suffix)
	}
}

// maxInviteFile bounds what bulk-invite reads: 1000 addresses fit easily.
const maxInviteFile = 1 << 20

func staffBulkInvite(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	file := flagString(fs, "file")
	if file == "" {
		return usagef("--file is required: a file with one address a line, or '-' for standard input")
	}
	if a.remote || a.stdin == nil {
		return usagef("bulk-invite reads a file on this machine: run it where the database is, or invite one by one over SSH")
	}
	var r io.Reader = a.stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return fmt.Errorf("bulk invite: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInviteFile+1))
	if err != nil {
		return fmt.Errorf("bulk invite: read addresses: %w", err)
	}
	if len(data) > maxInviteFile {
		return fmt.Errorf("bulk invite: the list is over %d bytes; split it", maxInviteFile)
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	results, err := svc.BulkInvite(ctx, a.actor(), string(data), flagString(fs, "role"), flagString(fs, "message"))
	if err != nil {
		return err
	}
	failed := 0
	for _, r := range results {
		if r.Err != nil {
			failed++
			fmt.Fprintf(a.stdout, "line %d  %s  refused: %s\n", r.Line, Sanitize(model.Truncate(r.Email, 60)), Sanitize(r.Err.Error()))
			continue
		}
		a.noteID("invitation", r.Invitation.ID)
		fmt.Fprintf(a.stdout, "line %d  %s  %s  %s\n", r.Line, Sanitize(r.Invitation.Email), r.Code, a.joinCommand(r.Code))
	}
	fmt.Fprintf(a.stdout, "Invited %d of %d addresses.\n", len(results)-failed, len(results))
	if failed > 0 {
		fmt.Fprintf(a.stderr, "gatehouse: %d line(s) refused; the others were invited\n", failed)
		return exitError{exitFail}
	}
	return nil
}

func clientsReassign(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	fromEmail, toEmail, unowned := flagString(fs, "from"), flagString(fs, "to"), flagBool(fs, "unowned")
	if fromEmail == "" {
		return usagef("--from EMAIL is required: the folders' current owner")
	}
	if (toEmail == "") == !unowned {
		return usagef("give either --to EMAIL or --unowned")
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	from, err := memberArg(ctx, a, fromEmail)
	if err != nil {
		return err
	}
	var to model.Member
	if !unowned {
		if to, err = memberArg(ctx, a, toEmail); err != nil {
			return err
		}
	}
	var ids []int64
	for _, name := range *fs.Lookup("client").Value.(*stringList) {
		c, err := svc.ClientByName(ctx, a.actor(), name)
		if err != nil {
			return err
		}
		ids = append(ids, c.ID)
	}
	moved, err := svc.BulkReassign(ctx, a.actor(), from.ID, to.ID, ids)
	if err != nil {
		return err
	}
	for _, id := range moved {
		a.noteID("client", id)
	}
	a.noteID("member", from.ID)
	dest := "unowned"
	if !unowned {
		dest = Sanitize(to.Email)
		a.noteID("member", to.ID)
	}
	fmt.Fprintf(a.stdout, "Reassigned %d client folder(s) from %s to %s.\n", len(moved), Sanitize(from.Email), dest)
	// Responsibility for a folder can widen or narrow what each reaches.
	a.noteReach(ctx, from)
	if !unowned {
		a.noteReach(ctx, to)
	}
	return nil
}

func checkDB(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	if err := a.resolvePath(); err != nil {
		return err
	}
	if _, err := os.Stat(a.dbPath); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no database at %s", a.dbPath)
	}
	svc, err := a.open(ctx)
	if err != nil {
		return fmt.Errorf("open %s: %w", a.dbPath, err)
	}
	fmt.Fprintf(a.stdout, "Checking %s\n", a.dbPath)
	bad := 0
	problems, err := db.IntegrityCheck(ctx, svc.DB().Read())
	if err != nil {
		return fmt.Errorf("check %s: %w", a.dbPath, err)
	}
	var integrity, fk []string
	for _, p := range problems {
		if strings.HasPrefix(p, "foreign key: ") {
			fk = append(fk, p)
		} else {
			integrity = append(integrity, p)
		}
	}
	bad += reportCheck(a.stdout, "integrity_check", integrity)
	bad += reportCheck(a.stdout, "foreign_key_check", fk)
	bad += checkDBChain(ctx, a, svc, *fs.Lookup("anchor").Value.(*stringList), flagString(fs, "anchor-key"))
	if bad > 0 {
		fmt.Fprintf(a.stderr, "gatehouse: %s has %d problem(s); restore a backup ('gatehouse backup' makes them)\n", a.dbPath, bad)
		return exitError{exitFail}
	}
	fmt.Fprintln(a.stdout, "No problems found.")
	return nil
}

// reportCheck prints one check's result and returns how many problems it
// found.
func reportCheck(w io.Writer, name string, problems []string) int {
	if len(problems) == 0 {
		fmt.Fprintf(w, "  %s: ok\n", name)
		return 0
	}
	fmt.Fprintf(w, "  %s: %d problem(s)\n", name, len(problems))
	for i, p := range problems {
		if i == 20 {
			fmt.Fprintf(w, "    ... and %d more\n", len(problems)-20)
			break
		}
		fmt.Fprintf(w, "    %s\n", Sanitize(p))
	}
	return len(problems)
}
