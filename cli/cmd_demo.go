package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	flag "github.com/spf13/pflag"

	"gatehouse/model"
)

// largeDefaults are the sizes of the large demo when only some of its
// flags are given.
var largeDefaults = model.GenerateOptions{Staff: 10_000, Clients: 100_000, AccountsPerClient: 3, Grants: 1_000_000, Audit: 5_000_000}

// incompleteSuffix names the file a demo is built in. Building commits in
// many transactions, so a killed build leaves a database that is sound
// but partial; it only ever sits under this name, and is renamed to the
// requested path once whole.
const incompleteSuffix = ".incomplete"

func demo(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	seed, _ := fs.GetUint64("seed")
	large, opts := largeOptions(fs)
	opts.Seed = seed
	if !a.dbSet {
		dir, err := os.MkdirTemp("", "gatehouse-demo-")
		if err != nil {
			return fmt.Errorf("create demo directory: %w", err)
		}
		a.dbPath = filepath.Join(dir, "gatehouse.db")
	}
	if err := checkDemoTarget(ctx, a.dbPath); err != nil {
		return err
	}
	tmp := a.dbPath + incompleteSuffix
	if _, err := os.Stat(tmp); err == nil {
		fmt.Fprintf(a.stderr, "Removing %s, left incomplete by an interrupted demo.\n", tmp)
	}
	if err := removeDatabase(tmp); err != nil {
		return err
	}
	svc, err := model.Open(ctx, tmp)
	if err != nil {
		return err
	}
	var info model.DemoInfo
	var rep model.GenerateReport
	if large {
		fmt.Fprintf(a.stderr, "Generating a large organisation for %s ...\n", a.dbPath)
		p := newGenProgress(a.stdout, isTerminal(os.Stdout))
		opts.Progress = p.update
		rep, err = svc.GenerateLarge(ctx, a.actor(), opts)
		p.finish()
	} else {
		fmt.Fprintf(a.stderr, "Creating the demo organisation in %s ...\n", a.dbPath)
		info, err = svc.PopulateDemoSeed(ctx, a.actor(), seed)
	}
	if cerr := svc.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close %s: %w", tmp, cerr)
	}
	if err != nil {
		removeDatabase(tmp)
		return fmt.Errorf("create demo: %w", err)
	}
	if err := moveDatabase(tmp, a.dbPath); err != nil {
		return err
	}
	if large {
		printGenerateReport(a.stdout, rep)
		info = model.DemoInfo{Org: "Large Partner Network"}
	}
	svc, err = a.open(ctx)
	if err != nil {
		return err
	}
	owner := rep.OwnerEmail
	if !large {
		owner = info.Members[0].Email
	}
	if !flagBool(fs, "no-tui") && isTerminal(a.stdin) && isTerminal(os.Stdout) {
		m, err := svc.MemberByEmail(ctx, a.actor(), owner)
		if err != nil {
			return err
		}
		if err := runTUI(ctx, a, svc, tuiOptions{Demo: true, SignedIn: &m}); err != nil {
			return err
		}
		if has, err := svc.HasOrg(ctx); err == nil && has {
			fmt.Fprintf(a.stdout, "The demo is in %s; open it again with:\n  gatehouse --db %s\n", a.dbPath, shellQuote(a.dbPath))
		}
		return nil
	}
	if large {
		fmt.Fprintf(a.stdout, "\nOpen it with:\n  gatehouse --db %s\nand sign in as %s with the password %q (every generated member has it; demo data only).\n",
			shellQuote(a.dbPath), rep.OwnerEmail, rep.Password)
		return nil
	}
	printDemoGuide(a.stdout, a, info)
	return nil
}

// largeOptions reads the size flags; any of them given asks for the large
// generator.
func largeOptions(fs *flag.FlagSet) (bool, model.GenerateOptions) {
	o := model.GenerateOptions{Staff: flagInt(fs, "staff"), Clients: flagInt(fs, "clients"),
		AccountsPerClient: flagInt(fs, "accounts-per-client"), Grants: flagInt(fs, "grants"), Audit: flagInt(fs, "audit")}
	large := false
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "staff", "clients", "accounts-per-client", "grants", "audit":
			large = true
		}
	})
	return large, o
}

// checkDemoTarget refuses a path that already holds an organisation. An
// existing database without one is replaced.
func checkDemoTarget(ctx context.Context, path string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	svc, err := model.Open(ctx, path)
	if err != nil {
		return err
	}
	defer svc.Close()
	has, err := svc.HasOrg(ctx)
	if err != nil {
		return err
	}
	if has {
		return fmt.Errorf("%s already holds an organisation; the demo needs an empty database (leave out --db for a fresh one)", path)
	}
	return nil
}

// removeDatabase removes a database file with its WAL and shared-memory
// files.
func removeDatabase(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", p, err)
		}
	}
	return nil
}

// moveDatabase renames a closed, complete database into place. Closing
// checkpointed its WAL into the file, so the file alone is the database;
// a WAL left behind would mean it is not, and the move is refused.
func moveDatabase(from, to string) error {
	if st, err := os.Stat(from + "-wal"); err == nil && st.Size() > 0 {
		return fmt.Errorf("move demo into place: %s still has a write-ahead log; it is kept under that name", from)
	}
	if err := removeDatabase(to); err != nil {
		return err
	}
	os.Remove(from + "-wal")
	os.Remove(from + "-shm")
	if err := os.Rename(from, to); err != nil {
		return fmt.Errorf("move demo into place: %w", err)
	}
	// Make the rename itself durable.
	if d, err := os.Open(filepath.Dir(to)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// genProgress shows the generator's progress: a bar redrawn in place on
// a terminal, plain lines (at most one every two seconds per stage, and
// each stage's end) otherwise.
type genProgress struct {
	w        io.Writer
	tty      bool
	stage    string
	open     bool // a bar line is drawn and not yet ended
	ended    bool // this stage's end was shown
	last     time.Time
	interval time.Duration
}

func newGenProgress(w io.Writer, tty bool) *genProgress {
	p := &genProgress{w: w, tty: tty, interval: 2 * time.Second}
	if tty {
		p.interval = 100 * time.Millisecond
	}
	return p
}

func (p *genProgress) update(stage string, done, total int) {
	if stage != p.stage {
		p.endLine()
		p.stage, p.last, p.ended = stage, time.Time{}, false
	}
	end := done >= total
	if end && p.ended || !end && time.Since(p.last) < p.interval {
		return
	}
	p.ended = end
	p.last = time.Now()
	frac := 1.0
	if total > 0 {
		frac = min(1, float64(done)/float64(total))
	}
	if p.tty {
		fmt.Fprintf(p.w, "\r\x1b[K%-14s %s %d/%d", stage, progressBar(frac, 40), done, total)
		p.open = true
		if end {
			p.endLine()
		}
		return
	}
	fmt.Fprintf(p.w, "%s: %d/%d (%.0f%%)\n", stage, done, total, frac*100)
}

// progressBar draws frac (0 to 1) as a bar of width cells and a percentage.
func progressBar(frac float64, width int) string {
	full := int(frac * float64(width))
	return strings.Repeat("█", full) + strings.Repeat("░", width-full) + fmt.Sprintf(" %3.0f%%", frac*100)
}

func (p *genProgress) endLine() {
	if p.open {
		fmt.Fprintln(p.w)
		p.open = false
	}
}

func (p *genProgress) finish() { p.endLine() }

// printGenerateReport prints each stage's rows and rows per second.
func printGenerateReport(w io.Writer, rep model.GenerateReport) {
	fmt.Fprintln(w, "\nGenerated:")
	t := newTable(w, "  STAGE", "ROWS", "SECONDS", "ROWS/S")
	for _, s := range rep.Stages {
		t.row("  "+s.Name, fmt.Sprint(s.Rows), fmt.Sprintf("%.2f", s.Elapsed.Seconds()), rate(s.Rows, s.Elapsed))
	}
	t.row("  total", fmt.Sprint(rep.Rows), fmt.Sprintf("%.2f", rep.Elapsed.Seconds()), rate(rep.Rows, rep.Elapsed))
	t.flush()
}

func rate(rows int, d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return strings.TrimSuffix(fmt.Sprintf("%.0f", float64(rows)/d.Seconds()), ".0")
}
