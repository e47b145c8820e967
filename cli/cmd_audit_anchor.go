package cli

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	flag "github.com/spf13/pflag"

	"gatehouse/model"
)

// anchorFilePath is where checkpoints are written and read by default:
// $GATEHOUSE_ANCHORS, else beside the database.
func anchorFilePath(a *app, given string) string {
	if given != "" {
		return given
	}
	if p := os.Getenv("GATEHOUSE_ANCHORS"); p != "" {
		return p
	}
	return model.DefaultAnchorFile(a.dbPath)
}

// anchorKeyPath is the signing key: --anchor-key, $GATEHOUSE_ANCHOR_KEY,
// else beside the database.
func anchorKeyPath(a *app, given string) string {
	if given != "" {
		return given
	}
	if p := os.Getenv("GATEHOUSE_ANCHOR_KEY"); p != "" {
		return p
	}
	return model.DefaultAnchorKey(a.dbPath)
}

func auditAnchor(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	key, err := model.LoadAnchorKey(anchorKeyPath(a, flagString(fs, "anchor-key")), true)
	if err != nil {
		return err
	}
	path := anchorFilePath(a, flagString(fs, "out"))
	res, err := svc.Anchor(ctx, a.actor(), key, path, false)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, res.Checkpoint.Line())
	fmt.Fprintf(a.stderr, "Anchored the audit log at entry %d (head %s) in %s; %d entries verified first.\n",
		res.Checkpoint.Entries, res.Checkpoint.Head, Sanitize(path), res.Walked)
	return nil
}

// verifyAnchors gathers the checkpoints to verify against: each --anchor
// (a file, or a head hash), else the default anchor file when it exists.
// It returns them and what they are, for the report.
func verifyAnchors(a *app, given []string) ([]model.Checkpoint, []string, error) {
	var cps []model.Checkpoint
	var sources []string
	for _, g := range given {
		if c, ok := model.ParseHeadHash(g); ok {
			cps = append(cps, c)
			sources = append(sources, "the head hash given")
			continue
		}
		if a.remote {
			return nil, nil, usagef("--anchor %q is not a head hash (64 hex digits, or ENTRIES:HASH); over SSH an anchor file on the server cannot be named", Sanitize(model.Truncate(g, 80)))
		}
		list, err := model.ReadAnchorFile(g)
		if err != nil {
			return nil, nil, err
		}
		if len(list) == 0 {
			return nil, nil, fmt.Errorf("anchor file %s holds no checkpoint", Sanitize(g))
		}
		cps = append(cps, list...)
		sources = append(sources, Sanitize(g))
	}
	if len(given) > 0 || a.remote {
		return cps, sources, nil
	}
	path := anchorFilePath(a, "")
	list, err := model.ReadAnchorFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, nil
	case err != nil:
		return nil, nil, err
	}
	return list, []string{Sanitize(path)}, nil
}

// anchorPublicKey is the anchor key's public half, or nil when the key is
// not on this machine (signatures are then checked against the key each
// checkpoint carries, which shows damage but not forgery).
func anchorPublicKey(a *app, given string) (ed25519.PublicKey, error) {
	if a.remote {
		return nil, nil
	}
	key, err := model.LoadAnchorKey(anchorKeyPath(a, given), false)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return key.Public().(ed25519.PublicKey), nil
}

// chainReport verifies the chain, against checkpoints when there are,
// and writes what it found; it returns the break, if any.
type chainReport struct {
	rep     model.AnchorReport
	brk     *model.ChainBreak
	sources []string
	cps     int
}

func checkChain(ctx context.Context, a *app, svc *model.Service, anchors []string, keyFile string, fromCheckpoint bool) (chainReport, error) {
	var r chainReport
	cps, sources, err := verifyAnchors(a, anchors)
	if err != nil {
		return r, err
	}
	r.sources, r.cps = sources, len(cps)
	if len(cps) == 0 {
		st, brk, err := svc.VerifyAuditChainAs(ctx, a.actor())
		r.rep.Chain, r.brk = st, brk
		return r, err
	}
	pub, err := anchorPublicKey(a, keyFile)
	if err != nil {
		return r, err
	}
	r.rep, r.brk, err = svc.VerifyAgainst(ctx, a.actor(), cps, pub, fromCheckpoint)
	return r, err
}

// write prints a verified chain's summary, one fact a line.
func (r chainReport) write(w io.Writer, indent string) {
	st := r.rep.Chain
	if st.Pruned > 0 {
		fmt.Fprintf(w, "%sentries 1 to %d were pruned; the prune checkpoint in the log accounts for them (head %s)\n", indent, st.Pruned, st.PrunedHead)
	}
	if r.cps > 0 {
		fmt.Fprintf(w, "%smatches %d of %d checkpoint(s) in %s", indent, r.rep.Checked, r.cps, strings.Join(r.sources, ", "))
		if r.rep.Unreachable > 0 {
			fmt.Fprintf(w, "; %d name pruned entries (check them with --export)", r.rep.Unreachable)
		}
		fmt.Fprintln(w)
		if r.rep.From != nil {
			fmt.Fprintf(w, "%swalked from the latest, at entry %d: %d entries after it (edits before it are not looked for; drop --from-checkpoint to walk all)\n",
				indent, r.rep.From.Entries, st.Entries)
		}
		if r.rep.KeyMissing {
			fmt.Fprintf(w, "%sno anchor key here: signatures were checked against the key each checkpoint carries, not the anchor key\n", indent)
		}
	} else {
		fmt.Fprintf(w, "%sno anchor: the end of the log is checked against its high-water mark only ('audit anchor' writes one)\n", indent)
	}
}

func auditVerify(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	exportFile := flagString(fs, "export")
	if exportFile != "" && a.remote {
		return usagef("--export reads a file on the server and cannot be given over SSH")
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	r, err := checkChain(ctx, a, svc, *fs.Lookup("anchor").Value.(*stringList), flagString(fs, "anchor-key"), flagBool(fs, "from-checkpoint"))
	if err != nil {
		return fmt.Errorf("verify audit: %w", err)
	}
	st := r.rep.Chain
	if r.brk != nil {
		fmt.Fprintf(a.stderr, "gatehouse: audit chain BROKEN at entry %d: %s (%d entries checked)\n", r.brk.ID, Sanitize(r.brk.Reason), st.Entries)
		return exitError{exitFail}
	}
	// The chain shows edits, inserts and removals, but whoever holds the
	// file could rewrite it whole; a head recorded elsewhere shows that.
	fmt.Fprintf(a.stdout, "audit chain OK: %d entries\nhead hash: %s (entry %d; record it outside this machine, or run 'audit anchor', to detect a rewrite of the whole log)\n",
		st.Entries, st.Head, st.LastID)
	r.write(a.stdout, "")
	if exportFile != "" {
		return verifyExportFile(ctx, a, svc, exportFile)
	}
	return nil
}

func verifyExportFile(ctx context.Context, a *app, svc *model.Service, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("verify export: %w", err)
	}
	defer f.Close()
	ec, brk, err := svc.VerifyExport(ctx, a.actor(), f)
	if err != nil {
		return fmt.Errorf("verify export %s: %w", Sanitize(path), err)
	}
	if brk != nil {
		fmt.Fprintf(a.stderr, "gatehouse: the export %s does not verify at entry %d: %s\n", Sanitize(path), brk.ID, Sanitize(brk.Reason))
		return exitError{exitFail}
	}
	fmt.Fprintf(a.stdout, "export %s: entries %d to %d, chain intact; %d of them still in the log, with the same hashes\n",
		Sanitize(path), ec.FirstID, ec.LastID, ec.Overlap)
	for _, c := range ec.Covers {
		fmt.Fprintf(a.stdout, "  it holds entries %d to %d, pruned before %s: their head matches the prune checkpoint (%s)\n", c.FirstID, c.ThroughID, c.Before, c.Head)
	}
	return nil
}

func auditPrune(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	if flagString(fs, "before") == "" {
		return usagef("--before DATE is required: entries older than it are removed")
	}
	before, err := parseDate("before", flagString(fs, "before"), false)
	if err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	res, err := svc.PruneAudit(ctx, a.actor(), before)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Pruned %d audit entries (%d to %d, before %s).\nThe prune checkpoint holds their head hash %s;\n",
		res.Pruned, res.FirstID, res.ThroughID, res.Before, res.Head)
	fmt.Fprintf(a.stdout, "an export made before pruning is checked against it with: gatehouse audit verify --export FILE%s\n", a.dbArg())
	return nil
}

// checkDBChain is check-db's audit line: the chain, against the anchor
// file when there is one.
func checkDBChain(ctx context.Context, a *app, svc *model.Service, anchors []string, keyFile string) int {
	r, err := checkChain(ctx, a, svc, anchors, keyFile, false)
	st := r.rep.Chain
	switch {
	case err != nil:
		fmt.Fprintf(a.stdout, "  audit chain: cannot be checked: %s\n", Sanitize(err.Error()))
		return 1
	case r.brk != nil:
		fmt.Fprintf(a.stdout, "  audit chain: BROKEN at entry %d: %s (%d entries checked)\n", r.brk.ID, Sanitize(r.brk.Reason), st.Entries)
		return 1
	}
	fmt.Fprintf(a.stdout, "  audit chain: ok, %d entries, head hash %s\n", st.Entries, st.Head)
	r.write(a.stdout, "    ")
	return 0
}
