package main

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/simclr-go/simclr/run"
)

// TestMain lets the test binary act as simclr in a child process (the
// fault tests kill it).
func TestMain(m *testing.M) {
	if os.Getenv("SIMCLR_CHILD") == "1" {
		os.Exit(execute(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func child(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "SIMCLR_CHILD=1")
	return cmd
}

// Killed with SIGKILL at random moments, again and again, a run resumed
// each time ends bit-identical to a straight run (weights, optimizer,
// metrics less timing), with no stray files.
func TestKilledAtRandomResumesExactly(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a training process many times")
	}
	flags := []string{"--dataset", "synthetic", "--limit", "192", "--batch-size", "32", "--epochs", "4", "--log-every", "2",
		"--knn-bank", "-1", "--seed", "9"}
	straight := filepath.Join(t.TempDir(), "straight")
	start := time.Now()
	if out, err := child(append([]string{"train", "--out", straight}, flags...)...).CombinedOutput(); err != nil {
		t.Fatalf("straight run: %v\n%s", err, out)
	}
	full := time.Since(start)
	dir := filepath.Join(t.TempDir(), "killed")
	r := rand.New(rand.NewPCG(1, 2))
	kills := 0
	window := full / 2 // kills land at a uniform time within it
	for attempt := 0; ; attempt++ {
		if attempt > 100 {
			t.Fatal("the run never finished")
		}
		args := append([]string{"train", "--out", dir}, flags...)
		if _, err := os.Stat(filepath.Join(dir, run.CheckpointFile)); err == nil {
			args = []string{"train", "--resume", dir}
		}
		cmd := child(args...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				if strings.Contains(stderr.String(), "already complete") {
					goto finished
				}
				t.Fatalf("run %d: %v: %s", attempt, err, stderr.String())
			}
			if kills < 5 && window > full/16 {
				// Too few kills landed (the straight run was timed on a
				// busier machine): start again with kills sooner.
				t.Logf("%d kills before the run finished: again, killing within %v", kills, window/2)
				os.RemoveAll(dir)
				kills, window = 0, window/2
				continue
			}
			goto finished
		case <-time.After(time.Duration(r.Float64() * float64(window))):
			if kills >= 15 { // enough: let it finish
				if err := <-done; err != nil {
					t.Fatalf("last run: %v: %s", err, stderr.String())
				}
				goto finished
			}
			cmd.Process.Kill()
			if err := <-done; err == nil || !errors.As(err, new(*exec.ExitError)) {
				goto finished // it finished just before the kill
			}
			kills++
		}
	}
finished:
	t.Logf("%d kills in %d runs (a straight run takes %v)", kills, kills+1, full)
	if kills < 5 {
		t.Fatalf("only %d kills landed", kills)
	}
	a, err := run.LoadCheckpoint(straight)
	if err != nil {
		t.Fatal(err)
	}
	b, err := run.LoadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	if a.Step != b.Step || !reflect.DeepEqual(a.Model, b.Model) || !reflect.DeepEqual(a.Optimizer, b.Optimizer) {
		t.Fatalf("killed and resumed run differs from the straight one (step %d vs %d)", b.Step, a.Step)
	}
	ma, _ := run.ReadMetrics(straight)
	mb, _ := run.ReadMetrics(dir)
	for _, ms := range [][]run.Metrics{ma, mb} {
		for i := range ms {
			ms[i].ImagesPerSec, ms[i].ViewsPerSec, ms[i].ElapsedSec = 0, 0, 0
		}
	}
	if !reflect.DeepEqual(ma, mb) {
		t.Fatalf("metrics differ:\n%v\n%v", ma, mb)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("stray file %s", e.Name())
		}
	}
}

// A run whose loss turns NaN stops with a clear error, and the checkpoint
// on disk is the last good one.
func TestNaNStopsCleanly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nan")
	code, _, stderr := simclr(t, "train", "--dataset", "synthetic", "--limit", "128", "--batch-size", "32", "--epochs", "6",
		"--knn-bank", "-1", "--lr", "1e30", "--lr-scaling", "none", "--warmup-epochs", "-1", "--out", dir)
	if code != 1 || !strings.Contains(stderr, "loss is") || !strings.Contains(stderr, "last checkpoint is kept") {
		t.Fatalf("exit %d: %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, run.CheckpointFile)); err == nil {
		ck, err := run.LoadCheckpoint(dir)
		if err != nil {
			t.Fatalf("the kept checkpoint does not load: %v", err)
		}
		t.Logf("kept checkpoint at step %d", ck.Step)
	}
}
