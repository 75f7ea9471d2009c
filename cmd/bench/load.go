package main

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// Stats is what one closed-loop run measured.
type Stats struct {
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	PerSec   float64 `json:"per_sec"`
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	P99      float64 `json:"p99_ms"`
	FirstErr string  `json:"first_error,omitempty"`
}

// call is one request (or one replay of a page's SQL) by a worker; it returns an error when the
// answer is not what a user would accept.
type call func(ctx context.Context, worker int) error

// load runs fn in a closed loop on conc workers: a short warm-up that is not counted (connection
// pools fill, statements are prepared), then d of measured calls.
func load(ctx context.Context, conc int, d time.Duration, fn call) Stats {
	warm := min(d/5, time.Second)
	measure(ctx, conc, warm, fn)
	return measure(ctx, conc, d, fn)
}

func measure(ctx context.Context, conc int, d time.Duration, fn call) Stats {
	type worker struct {
		lat      []time.Duration
		errors   int
		firstErr error
	}
	workers := make([]worker, conc)
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func(w *worker, i int) {
			defer wg.Done()
			for ctx.Err() == nil {
				t := time.Now()
				if !t.Before(deadline) {
					return
				}
				err := fn(ctx, i)
				if errors.Is(err, errExhausted) {
					return // nothing left to change: the run ends with what was done
				}
				w.lat = append(w.lat, time.Since(t))
				if err != nil {
					w.errors++
					if w.firstErr == nil {
						w.firstErr = err
					}
				}
			}
		}(&workers[i], i)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	var s Stats
	for _, w := range workers {
		all = append(all, w.lat...)
		s.Errors += w.errors
		if w.firstErr != nil && s.FirstErr == "" {
			s.FirstErr = w.firstErr.Error()
		}
	}
	slices.Sort(all)
	s.Requests = len(all)
	s.PerSec = float64(len(all)) / elapsed.Seconds()
	s.P50, s.P95, s.P99 = percentile(all, 50), percentile(all, 95), percentile(all, 99)
	return s
}

// percentile of sorted latencies, in milliseconds.
func percentile(sorted []time.Duration, p int) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return float64(sorted[max(i-1, 0)].Microseconds()) / 1000
}
