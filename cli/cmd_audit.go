package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	flag "github.com/spf13/pflag"

	"gatehouse/model"
)

func init() {
	register(&command{
		name: "audit list", args: "[--json] [--limit N] [--actor A] [--action A] [--staff EMAIL] [--client NAME] [--since DATE] [--until DATE] [--before ID]",
		summary: "Show the audit log, newest first.",
		example: "gatehouse audit list --action access. --since 2025-01-31 --limit 20",
		flags: func(fs *flag.FlagSet) {
			fs.Bool("json", false, "print JSON")
			fs.Int("limit", 50, "at most `n` entries")
			fs.String("actor", "", "only entries whose actor contains `text` (an email or an OS user name)")
			fs.String("action", "", "only this `action` (e.g. access.remove), or a prefix ending in '.' (e.g. access.)")
			fs.String("staff", "", "only entries about this member (`email`; a removed member is found by the email they had)")
			fs.String("client", "", "only entries about this client folder (`name`)")
			fs.String("since", "", "only entries at or after `date` (2006-01-02, RFC 3339, or an age: 7d)")
			fs.String("until", "", "only entries before the end of `date` (2006-01-02, RFC 3339, or an age: 7d)")
			fs.Int64("before", 0, "only entries older than entry `id` (to page back)")
		},
		run: auditList,
	})
	register(&command{
		name: "audit export", args: "--format csv|json [--out FILE]",
		summary: "Export the whole audit log, oldest first, with its hashes.",
		example: "gatehouse audit export --format csv --out audit.csv",
		flags: func(fs *flag.FlagSet) {
			fs.String("format", "", "`csv` or json (required)")
			fs.String("out", "", "write to `file` (created; default: standard output)")
		},
		run: auditExport,
	})
	register(&command{
		name: "audit verify", args: "[--anchor FILE|HASH]... [--from-checkpoint] [--anchor-key FILE] [--export FILE]",
		summary: "Walk the audit hash chain; exit 1 and name the first entry that does not match.\n" +
			"Also checks the log against its checkpoints (the anchor file beside the database, or --anchor):\n" +
			"a log shorter than a checkpoint, or that differs from one, fails naming it. With no anchor it\n" +
			"still catches a log cut short at its end (the high-water mark of ids) or emptied. --export checks\n" +
			"an earlier JSON export against the log, so entries pruned since stay verifiable.",
		example: "gatehouse audit verify --anchor /mnt/offsite/gatehouse.db.anchors",
		flags: func(fs *flag.FlagSet) {
			fs.Var(&stringList{}, "anchor", "an anchor `file`, or a head hash recorded elsewhere (HASH or ENTRIES:HASH); repeatable")
			fs.Bool("from-checkpoint", false, "walk only the entries after the latest checkpoint that matches (faster; edits before it are not looked for)")
			fs.String("anchor-key", "", "the anchor key `file` the checkpoints were signed with (default: $GATEHOUSE_ANCHOR_KEY, else DB"+model.AnchorKeySuffix+")")
			fs.String("export", "", "also check this audit export (`file`, JSON) against the log and its prune checkpoints")
		},
		run: auditVerify,
	})
	register(&command{
		name: "audit anchor", args: "[--out FILE] [--anchor-key FILE]",
		summary: "Write a signed checkpoint of the audit chain (entries, head hash, time) to an anchor file and print it.\n" +
			"The chain since the latest checkpoint is verified first; a broken chain is never signed. Keep the\n" +
			"anchor file on another disk or machine: 'audit verify' then finds a log cut short or rewritten.\n" +
			"The key is created (0600) on first use; an ed25519 SSH key such as the server's host key will do.",
		example: "gatehouse audit anchor --out /mnt/offsite/gatehouse.db.anchors",
		flags: func(fs *flag.FlagSet) {
			fs.String("out", "", "the anchor `file` to append to (default: $GATEHOUSE_ANCHORS, else DB"+model.AnchorFileSuffix+")")
			fs.String("anchor-key", "", "the signing key `file` (default: $GATEHOUSE_ANCHOR_KEY, else DB"+model.AnchorKeySuffix+")")
		},
		run: auditAnchor,
	})
	register(&command{
		name: "audit prune", args: "--before DATE",
		summary: "Remove the audit entries older than DATE (the Owner, or the holder of the file), in one transaction\n" +
			"that leaves a checkpoint entry with how many went and the hash the chain had at the last of them:\n" +
			"'audit verify' passes from it on, and 'audit verify --export' checks an earlier export against it.\n" +
			"Make that export first. The newest entry is always kept.",
		example: "gatehouse audit prune --before 30d",
		flags: func(fs *flag.FlagSet) {
			fs.String("before", "", "remove entries before `date` (2006-01-02, RFC 3339, or an age: 90d is 90 days ago; required)")
		},
		run: auditPrune,
	})
	// They read and write files on the server.
	localCommands["audit anchor"] = true
}

// parseDate reads a date or an RFC 3339 time; a bare date taken as an end
// bound covers that whole day.
func parseDate(flagName, s string, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	// An age, "90d": that many days before now (a retention policy's form).
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 && n <= 100*366 {
			return time.Now().AddDate(0, 0, -n), nil
		}
	}
	t, err := time.ParseInLocation("2006-01-02", s, time.Local)
	if err != nil {
		return time.Time{}, usagef("--%s %q is not a date like 2025-01-31 or 2025-01-31T09:00:00Z, or an age like 90d", flagName, s)
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

func auditList(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	q := model.AuditQuery{Actor: flagString(fs, "actor"), Action: strings.TrimSpace(flagString(fs, "action")), Limit: flagInt(fs, "limit")}
	if q.Limit <= 0 {
		return usagef("--limit must be at least 1")
	}
	var err error
	if q.Since, err = parseDate("since", flagString(fs, "since"), false); err != nil {
		return err
	}
	if q.Until, err = parseDate("until", flagString(fs, "until"), true); err != nil {
		return err
	}
	q.BeforeID, _ = fs.GetInt64("before")
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	if e := flagString(fs, "staff"); e != "" {
		// The member with that email now, and any removed member who had it.
		if q.StaffIDs, err = svc.AuditStaffIDs(ctx, a.actor(), e); err != nil {
			return err
		}
	}
	if n := flagString(fs, "client"); n != "" {
		c, err := svc.ClientByName(ctx, a.actor(), n)
		if err != nil {
			return err
		}
		q.ClientID = c.ID
	}
	entries, err := svc.ListAudit(ctx, a.actor(), q)
	if err != nil {
		return fmt.Errorf("list audit: %w", err)
	}
	if flagBool(fs, "json") {
		if entries == nil {
			entries = []model.AuditEntry{}
		}
		return writeJSON(a.stdout, entries)
	}
	t := newTable(a.stdout, "ID", "TIME", "ACTOR", "ACTION", "TARGET", "CHANGE")
	for _, e := range entries {
		t.row(fmt.Sprint(e.ID), e.At.Local().Format("2006-01-02 15:04:05"), e.Actor, e.Action, e.Target,
			model.Truncate(changeText(e.Before, e.After), 100))
	}
	t.flush()
	if len(entries) == q.Limit {
		fmt.Fprintf(a.stdout, "%d newest matching entries; older ones with --before %d\n", len(entries), entries[len(entries)-1].ID)
	}
	return nil
}

// changeText renders an entry's before and after as "field: old → new".
func changeText(before, after string) string {
	var b, f map[string]any
	if (before != "" && json.Unmarshal([]byte(before), &b) != nil) || (after != "" && json.Unmarshal([]byte(after), &f) != nil) {
		switch {
		case before == "":
			return after
		case after == "":
			return before + " → (none)"
		}
		return before + " → " + after
	}
	var keys []string
	for k := range b {
		keys = append(keys, k)
	}
	for k := range f {
		if _, ok := b[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		old, hadOld := b[k]
		now, hasNow := f[k]
		switch {
		case hadOld && hasNow:
			if value(old) == value(now) {
				continue
			}
			parts = append(parts, k+": "+value(old)+" → "+value(now))
		case hasNow:
			parts = append(parts, k+": "+value(now))
		default:
			parts = append(parts, k+": "+value(old)+" → (none)")
		}
	}
	return strings.Join(parts, "; ")
}

func value(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var s []string
		for _, e := range x {
			s = append(s, value(e))
		}
		return "[" + strings.Join(s, ", ") + "]"
	case nil:
		return "none"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func auditExport(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	format := strings.ToLower(flagString(fs, "format"))
	if format != "csv" && format != "json" {
		return usagef("--format is csv or json")
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	var w io.Writer = a.stdout
	var f *os.File
	if out := flagString(fs, "out"); out != "" {
		if a.remote {
			return usagef("--out cannot be given over SSH; the export goes to standard output")
		}
		if f, err = os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600); err != nil {
			return fmt.Errorf("export audit: %w", err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	if err := svc.ExportAudit(ctx, a.actor(), model.AuditQuery{}, bw, format); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export audit: %w", err)
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return fmt.Errorf("export audit: %w", err)
		}
		fmt.Fprintf(a.stderr, "Exported the audit log to %s.\n", Sanitize(f.Name()))
	}
	return nil
}
