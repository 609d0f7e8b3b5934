package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for the sitegen command: run with
// SITEGEN_RUN_MAIN=1 it is main itself, signal handling included, and it
// is the background remover and spare maker that builds run in tests
// (os.Executable is the test binary), which must do their work and not run
// the tests again; and the holders of memory builds leave, which exit when
// the tests end.
func TestMain(m *testing.M) {
	if os.Getenv("SITEGEN_RUN_MAIN") == "1" || os.Getenv(removeTreeEnv) != "" || os.Getenv(makeSpareEnv) != "" || os.Getenv(holdHeapEnv) != "" {
		main()
		return
	}
	// The builds the tests run meet their holders at a name of the tests'.
	os.Setenv(heapSocketEnv, fmt.Sprintf("sitegen-test-%d", os.Getpid()))
	code := m.Run()
	releaseHolders()
	os.Exit(code)
}

var servingURL = regexp.MustCompile(`Serving .* at (http://\S+) `)

// sitegen serve stops cleanly on Ctrl-C and on SIGTERM: exit status 0.
func TestServeExitsZeroOnSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			root := site(t, map[string]string{"content/good.md": good})
			cmd, url, stdout, stderr := startServe(t, root, os.Getenv("GODEBUG"))
			if !strings.HasPrefix(url, "http://127.0.0.1:") {
				t.Errorf("serving at %s, want the loopback address", url)
			}
			resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(url)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), "Good news") {
				t.Errorf("GET %s: %d\n%s", url, resp.StatusCode, body)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, stdout)
			if err := cmd.Wait(); err != nil {
				t.Errorf("after %v: %v, want exit status 0\nstderr:\n%s", sig, err, stderr.String())
			}
		})
	}
}

// startServe starts the test binary as sitegen serve on root, with GODEBUG
// set to godebug when it is not empty, and returns once it prints the URL
// it serves at. The test must stop the command; startServe kills it at
// the end of the test if it still runs.
func startServe(t *testing.T, root, godebug string) (cmd *exec.Cmd, url string, stdout io.Reader, stderr *strings.Builder) {
	t.Helper()
	cmd = exec.Command(os.Args[0], "serve", "--source", root, "--addr", "127.0.0.1:0")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GODEBUG=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "SITEGEN_RUN_MAIN=1")
	if godebug != "" {
		cmd.Env = append(cmd.Env, "GODEBUG="+godebug)
	}
	stderr = new(strings.Builder)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() }) // only if the test fails before Wait
	lines := bufio.NewScanner(out)
	var printed strings.Builder
	for url == "" && lines.Scan() {
		printed.WriteString(lines.Text() + "\n")
		if m := servingURL.FindStringSubmatch(lines.Text()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		t.Fatalf("no URL printed:\n%s%s", printed.String(), stderr.String())
	}
	return cmd, url, out, stderr
}
