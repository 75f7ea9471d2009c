// Package browsertest drives Debian's Chromium for browser tests: one browser per test binary,
// one isolated browser context (cookies of its own) per test.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

var (
	once    sync.Once
	browser context.Context
	setup   error
)

// chromiumPath finds the browser: CHROMIUM if set, else Debian's chromium on PATH.
func chromiumPath() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p, nil
	}
	return exec.LookPath("chromium")
}

// Tab returns a fresh tab in a browser context of its own, closed when the test ends.
func Tab(t *testing.T) context.Context {
	t.Helper()
	once.Do(func() {
		var path string
		if path, setup = chromiumPath(); setup != nil {
			return
		}
		// Flags that keep a headless Chromium off the (closed) network and working as root.
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true))
		alloc, _ := chromedp.NewExecAllocator(context.Background(), opts...)
		browser, _ = chromedp.NewContext(alloc)
		setup = chromedp.Do(browser) // starts the browser
	})
	require.NoError(t, setup, "Chromium is needed for browser tests: apt-get install -y --no-install-recommends chromium (make test does this as root)")
	tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(tab, 60*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		if t.Failed() { // what the page looked like when the test gave up
			shot, cancelShot := context.WithTimeout(tab, 5*time.Second)
			Screenshot(t, shot, "failed-"+strings.ReplaceAll(t.Name(), "/", "-"))
			cancelShot()
		}
		cancel()
	})
	return ctx
}

// Do runs actions in the tab and fails the test on error.
func Do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx, steps...))
}

// Eval evaluates a JavaScript expression in the page.
func Eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	require.NoError(t, err)
	return v
}

// Screenshot saves the whole page as name.png in CRM_SCREENSHOT_DIR, when that is set, so
// people can look at pages as users see them.
func Screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("CRM_SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

// Viewports are the widths the layout must work at.
var Viewports = []struct {
	Name          string
	Width, Height int64
}{{"desktop", 1366, 900}, {"phone", 390, 844}}
