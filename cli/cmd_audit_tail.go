package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	flag "github.com/spf13/pflag"

	"gatehouse/model"
)

func init() {
	register(&command{
		name: "audit tail", args: "[--follow] [--format text|jsonl] [--since-id N] [--lines N]",
		summary: "Print the newest audit entries, oldest first, each with its hash and the previous entry's hash;\n" +
			"with --follow, go on printing entries as they are committed until stopped. --since-id N starts\n" +
			"after entry N: a log shipper that records the last id it sent resumes with no gap and no repeat.\n" +
			"--format jsonl writes one JSON object a line (for a SIEM); over SSH too.",
		example: "gatehouse audit tail --follow --format jsonl --since-id 100",
		flags: func(fs *flag.FlagSet) {
			fs.Bool("follow", false, "keep printing new entries as they are committed (until Ctrl-C or the connection ends)")
			fs.String("format", "text", "`text` or jsonl")
			fs.Int64("since-id", -1, "print the entries after entry `id` (0: from the start); default: the last --lines")
			fs.Int("lines", 10, "without --since-id, start with the last `n` entries")
		},
		run:     auditTail,
		ownJSON: true,
	})
}

func auditTail(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	format := strings.ToLower(flagString(fs, "format"))
	if format != "text" && format != "jsonl" {
		return usagef("--format is text or jsonl")
	}
	since, _ := fs.GetInt64("since-id")
	lines := flagInt(fs, "lines")
	if since < -1 {
		return usagef("--since-id is an entry id, 0 or more")
	}
	if lines < 0 {
		return usagef("--lines must be 0 or more")
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	if since == -1 {
		if since, err = svc.TailStart(ctx, a.actor(), lines); err != nil {
			return fmt.Errorf("audit tail: %w", err)
		}
	}
	if a.json {
		if flagBool(fs, "follow") {
			return usagef("--json prints one array and --follow never ends; use --format jsonl to follow")
		}
		entries := []model.AuditEntry{}
		err := svc.TailAudit(ctx, a.actor(), since, false, func(e model.AuditEntry) error {
			entries = append(entries, e)
			return nil
		})
		if err != nil {
			return fmt.Errorf("audit tail: %w", err)
		}
		return writeJSON(a.stdout, entries)
	}
	write := tailText
	if format == "jsonl" {
		write = tailJSON
	}
	var buf bytes.Buffer
	err = svc.TailAudit(ctx, a.actor(), since, flagBool(fs, "follow"), func(e model.AuditEntry) error {
		buf.Reset()
		write(&buf, e)
		// One write an entry: a reader never sees half of one.
		_, err := a.stdout.Write(buf.Bytes())
		return err
	})
	if err != nil {
		return fmt.Errorf("audit tail: %w", err)
	}
	return nil
}

// tailJSON writes an entry as one JSON line, with control, bidi and
// escape characters as \u escapes (the exact text for any JSON reader).
func tailJSON(w io.Writer, e model.AuditEntry) {
	json.NewEncoder(model.SafeJSONWriter(w)).Encode(e)
}

// tailText writes an entry as one line of text, every field made safe to
// print.
func tailText(w io.Writer, e model.AuditEntry) {
	fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\tprev=%s\thash=%s\n", e.ID, e.At.Format("2006-01-02T15:04:05.000000000Z07:00"),
		Sanitize(e.Actor), Sanitize(e.Origin), Sanitize(e.Action), Sanitize(e.Target), Sanitize(changeText(e.Before, e.After)),
		Sanitize(e.PrevHash), Sanitize(e.Hash))
}
