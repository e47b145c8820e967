package bench

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gatehouse/model"
)

// The tests here keep the harness honest at the tiny size (a second or
// two): the bare SQL asks the same as the model, the screens really move,
// the stream is repeatable. They never touch the cached benchmark sizes.

func tinyEnv(t *testing.T) *env {
	t.Helper()
	model.SetFastHashForTests()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tiny.db")
	if _, err := Build(ctx, Tiny, path, t.Logf); err != nil {
		t.Fatal(err)
	}
	e, err := openEnv(ctx, Tiny, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.close)
	return e
}

func TestBareMatchesModel(t *testing.T) {
	e := tinyEnv(t)
	ctx := context.Background()
	for _, pq := range pageQueries {
		m, err := pq.model(ctx, e)
		if err != nil {
			t.Fatalf("%s (model): %v", pq.name, err)
		}
		s, err := pq.bare(ctx, e)
		if err != nil {
			t.Fatalf("%s (sql): %v", pq.name, err)
		}
		if pq.candidates {
			if m > s || m == 0 {
				t.Errorf("%s: the model returns %d rows out of the bare SQL's %d candidates; it should return some, and no more", pq.name, m, s)
			}
		} else if m != s || m == 0 {
			t.Errorf("%s: the model returns %d rows, the bare SQL %d; both should return the same, and some", pq.name, m, s)
		}
	}
	// Who can reach: the same members, for every account of a few folders
	// (the internal one included).
	rows, err := e.svc.DB().Read().QueryContext(ctx, `SELECT id FROM accounts WHERE client_id IN (SELECT id FROM clients ORDER BY id LIMIT 40)`)
	if err != nil {
		t.Fatal(err)
	}
	var accounts []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		accounts = append(accounts, id)
	}
	rows.Close()
	for _, acc := range accounts {
		rs, err := e.svc.WhoCanReach(ctx, e.owner, acc)
		if err != nil {
			t.Fatal(err)
		}
		var fromModel []int64
		for _, r := range rs {
			fromModel = append(fromModel, r.StaffID)
		}
		fromSQL, err := whoCanReachSQL(ctx, e.raw, acc)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(fromModel)
		slices.Sort(fromSQL)
		if !slices.Equal(fromModel, fromSQL) {
			t.Fatalf("account %d: the model says %v can reach it, the SQL %v", acc, fromModel, fromSQL)
		}
	}
}

func TestStreamRepeatsAndMixes(t *testing.T) {
	e := tinyEnv(t)
	ctx := context.Background()
	a, err := Stream(ctx, e.svc, 2_000, StreamSeed)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Stream(ctx, e.svc, 2_000, StreamSeed)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a, b) {
		t.Fatal("the same seed gave two different streams")
	}
	c, err := e.svc.NewChecker(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ans, err := Answers(ctx, c, a)
	if err != nil {
		t.Fatal(err)
	}
	allowed := 0
	for _, ok := range ans {
		if ok {
			allowed++
		}
	}
	if allowed < len(ans)/5 || allowed > len(ans)*4/5 {
		t.Fatalf("%d of %d allowed: the stream should mix both answers", allowed, len(ans))
	}
}

func TestScreensMove(t *testing.T) {
	e := tinyEnv(t)
	ctx := context.Background()
	sess, err := session(ctx, e.svc, e.owner)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range screenCases {
		s := openScreen(sess, sc)
		first := s.View()
		for i := 0; i < scrollSpan/4; i++ {
			s = press(s, keyDown)
		}
		if s.View() == first {
			t.Errorf("%s: %d presses of ↓ changed nothing on screen", sc.name, scrollSpan/4)
		}
		typed := press(openScreen(sess, sc), keySlash)
		before := typed.View()
		typed, _ = typed.Update(runeKey(sc.filterChar))
		if typed.View() == before {
			t.Errorf("%s: typing into the filter changed nothing on screen", sc.name)
		}
		if sc.filtered != nil {
			if v := openScreen(sess, screenCase{open: sc.filtered}).View(); v == first {
				t.Errorf("%s: the filtered screen looks like the unfiltered one", sc.name)
			}
			continue
		}
		f := press(openScreen(sess, sc), keySlash)
		f = press(f, runeKey(sc.filterChar))
		f = press(f, keyEnter)
		one := f.View()
		f = filterStep(f, sc, 0)
		if f.View() == one {
			t.Errorf("%s: applying a narrower filter changed nothing on screen", sc.name)
		}
	}
}

func TestStartupAndOffboardSetup(t *testing.T) {
	e := tinyEnv(t)
	ctx := context.Background()
	svc, frame, err := startStaff(ctx, e.path, e.owner.StaffID)
	if err != nil {
		t.Fatal(err)
	}
	svc.Close()
	if !strings.Contains(frame, "Staff") || !strings.Contains(frame, "of 60") {
		t.Fatalf("the first frame does not show the staff list of 60:\n%s", frame)
	}
	id, err := memberWithFolders(ctx, e, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.Offboard(ctx, e.owner, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.FoldersRemoved != 100 {
		t.Fatalf("offboarding removed %d folders, want 100", res.FoldersRemoved)
	}
}
