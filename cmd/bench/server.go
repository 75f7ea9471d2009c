package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// server is `crm serve` running as its own process, as in production.
type server struct {
	cmd     *exec.Cmd
	URL     string
	Startup time.Duration // from exec to the first 200 on /healthz
	debug   string        // the server's pprof address, when profiles are wanted
}

// startServer starts the binary on a free loopback port and waits until /healthz answers 200.
func startServer(ctx context.Context, cfg config, dbURL string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(cfg.OutDir + "/server.log")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(cfg.Binary, "serve")
	// The pages are measured without the automation worker: on a seeded database its first
	// sweep finds thousands of overdue tasks to remind people of, work that would come and go
	// under the load. What a change costs to enqueue its rules' jobs is still measured.
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "CRM_ADDR="+addr, "CRM_WORKER=false")
	s := &server{cmd: cmd, URL: "http://" + addr}
	if cfg.Profiles != "" {
		if s.debug, err = freeAddr(); err != nil {
			return nil, err
		}
		cmd.Env = append(cmd.Env, "CRM_DEBUG_ADDR="+s.debug)
		if err := os.MkdirAll(cfg.Profiles, 0o755); err != nil {
			return nil, err
		}
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: time.Second}
	for time.Since(start) < 30*time.Second {
		if ctx.Err() != nil {
			s.stop()
			return nil, ctx.Err()
		}
		resp, err := client.Get(s.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s.Startup = time.Since(start)
				return s, nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	s.stop()
	return nil, errors.New("the server did not answer /healthz within 30 s; see " + cfg.OutDir + "/server.log")
}

// peakRSS is the most memory the server process has held resident, in MB (VmHWM).
func (s *server) peakRSS() (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024, err
		}
	}
	return 0, errors.New("no VmHWM in /proc status")
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// profile starts a CPU profile of the server (when profiles are wanted); the function it returns
// waits for it and saves it as <name>.prof, to read with go tool pprof bin/crm <file>.
func (s *server) profile(cfg config, name string) func() error {
	if s.debug == "" {
		return func() error { return nil }
	}
	secs := max(1, int(cfg.Duration.Seconds()))
	done := make(chan error, 1)
	go func() {
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", s.debug, secs))
		if err != nil {
			done <- err
			return
		}
		defer resp.Body.Close()
		f, err := os.Create(filepath.Join(cfg.Profiles, strings.NewReplacer(" ", "_", "/", "_", "?", "", "=", "-").Replace(name)+".prof"))
		if err != nil {
			done <- err
			return
		}
		_, err = io.Copy(f, resp.Body)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		done <- err
	}()
	return func() error { return <-done }
}
