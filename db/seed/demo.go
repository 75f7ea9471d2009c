// Package seed fills a database with demo data.
package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/internal/password"
)

// DemoUser is one of the demo logins.
type DemoUser struct{ Email, Name, Role, Team string }

// DemoUsers are the logins `crm seed --demo` creates, all with the demo password.
var DemoUsers = []DemoUser{
	{"admin@demo.test", "Alex Admin", "admin", "Operations"},
	{"manager@demo.test", "Morgan Manager", "manager", "Inside Sales"},
	{"rep1@demo.test", "Riley Rep", "sales_rep", "Inside Sales"},
	{"rep2@demo.test", "Sam Seller", "sales_rep", "Inside Sales"},
}

// DemoStages are the demo pipeline's stages: name, win probability, kind.
var DemoStages = []struct {
	Name        string
	Probability int32
	Kind        store.StageKind
}{
	{"Prospecting", 10, store.StageKindOpen},
	{"Qualification", 25, store.StageKindOpen},
	{"Proposal", 50, store.StageKindOpen},
	{"Negotiation", 75, store.StageKindOpen},
	{"Closed Won", 100, store.StageKindWon},
	{"Closed Lost", 0, store.StageKindLost},
}

// Demo seeds a believable small company into an empty database and reports whether it did;
// a database that already has users is left as it is. The same data comes out every time.
func Demo(ctx context.Context, pool *pgxpool.Pool, demoPassword string) (bool, error) {
	n, err := db.Q.CountUsers(ctx, pool)
	if err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	hash, err := password.Hash(demoPassword)
	if err != nil {
		return false, err
	}
	// The owner's connection: seeding is set-up, not a user's request, so RLS does not apply.
	tx, err := pool.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	s := &demo{ctx: ctx, tx: tx, q: db.Q, rnd: rand.New(rand.NewPCG(2026, 11)), now: time.Now().UTC().Truncate(time.Hour)}
	if err := s.run(hash); err != nil {
		return false, fmt.Errorf("seed demo: %w", err)
	}
	// Statistics now: tables this small never reach autovacuum's threshold.
	if _, err := tx.Exec(ctx, "ANALYZE pipelines, pipeline_stages, users, teams"); err != nil {
		return false, err
	}
	return true, tx.Commit(ctx)
}

type demo struct {
	ctx      context.Context
	tx       pgx.Tx
	q        *store.Queries
	rnd      *rand.Rand
	now      time.Time
	users    []int64 // by DemoUsers order
	owners   []int64 // record owners, reps weighted heavier
	stages   []int64
	pipeline int64
}

func (s *demo) run(hash string) error {
	if err := s.people(hash); err != nil {
		return err
	}
	if err := s.pipelineStages(); err != nil {
		return err
	}
	accounts, contacts, err := s.accountsAndContacts()
	if err != nil {
		return err
	}
	opps, err := s.opportunities(accounts, contacts)
	if err != nil {
		return err
	}
	leads, err := s.leads()
	if err != nil {
		return err
	}
	return s.activities(accounts, contacts, opps, leads)
}

func (s *demo) people(hash string) error {
	teams := map[string]int64{}
	for _, u := range DemoUsers {
		if _, ok := teams[u.Team]; ok {
			continue
		}
		id, err := s.q.CreateTeam(s.ctx, s.tx, u.Team)
		if err != nil {
			return err
		}
		teams[u.Team] = id
	}
	for _, u := range DemoUsers {
		role, err := s.q.GetRoleByName(s.ctx, s.tx, u.Role)
		if err != nil {
			return fmt.Errorf("role %s: %w", u.Role, err)
		}
		team := teams[u.Team]
		id, err := s.q.CreateUser(s.ctx, s.tx, store.CreateUserParams{
			Email: u.Email, Name: u.Name, RoleID: role.ID, TeamID: &team, PasswordHash: hash, TimeZone: "Europe/London",
		})
		if err != nil {
			return err
		}
		s.users = append(s.users, id)
	}
	admin, manager, rep1, rep2 := s.users[0], s.users[1], s.users[2], s.users[3]
	s.owners = []int64{rep1, rep1, rep1, rep2, rep2, rep2, manager, admin}
	return nil
}

func (s *demo) pipelineStages() error {
	id, err := s.q.CreatePipeline(s.ctx, s.tx, "Sales")
	if err != nil {
		return err
	}
	s.pipeline = id
	for _, st := range DemoStages {
		sid, err := s.q.CreateStage(s.ctx, s.tx, store.CreateStageParams{
			PipelineID: id, Name: st.Name, Probability: st.Probability, Kind: st.Kind,
		})
		if err != nil {
			return err
		}
		s.stages = append(s.stages, sid)
	}
	return nil
}

type account struct {
	id, owner int64
	name      string
	contacts  []int64
}

func (s *demo) accountsAndContacts() ([]account, []int64, error) {
	var accounts []account
	var contacts []int64
	used := map[string]bool{}
	for i := 0; len(accounts) < 50; i++ {
		name := pick(s.rnd, companyStarts) + " " + pick(s.rnd, companyEnds)
		if used[name] {
			continue
		}
		used[name] = true
		domain := slug(name) + ".example"
		city := pick(s.rnd, cities)
		owner := pick(s.rnd, s.owners)
		employees := int32(10 + s.rnd.IntN(2000))
		id, err := s.q.CreateAccount(s.ctx, s.tx, store.CreateAccountParams{
			OwnerID: owner, Name: name, Domain: &domain, Industry: pick(s.rnd, industries),
			Employees: &employees, AnnualRevenue: money(int64(employees) * int64(80_000+s.rnd.IntN(120_000))),
			Phone: s.phone(), Street: fmt.Sprintf("%d %s", 1+s.rnd.IntN(400), pick(s.rnd, streets)),
			City: city[0], Region: "", PostalCode: fmt.Sprintf("%05d", s.rnd.IntN(99999)), Country: city[1],
		})
		if err != nil {
			return nil, nil, fmt.Errorf("account %q: %w", name, err)
		}
		a := account{id: id, owner: owner, name: name}
		for range 2 + s.rnd.IntN(3) {
			first, last := pick(s.rnd, firstNames), pick(s.rnd, lastNames)
			email := fmt.Sprintf("%s.%s%d@%s", slug(first), slug(last), len(contacts), domain)
			cid, err := s.q.CreateContact(s.ctx, s.tx, store.CreateContactParams{
				OwnerID: owner, AccountID: &id, FirstName: first, LastName: last, Email: &email,
				Phone: s.phone(), Title: pick(s.rnd, titles),
			})
			if err != nil {
				return nil, nil, fmt.Errorf("contact: %w", err)
			}
			a.contacts = append(a.contacts, cid)
			contacts = append(contacts, cid)
		}
		accounts = append(accounts, a)
	}
	return accounts, contacts, nil
}

func (s *demo) opportunities(accounts []account, _ []int64) ([]int64, error) {
	var ids []int64
	for i := range 60 {
		a := accounts[s.rnd.IntN(len(accounts))]
		stage := s.rnd.IntN(len(s.stages))
		close := s.now.AddDate(0, 0, s.rnd.IntN(120)-30)
		var closedAt *time.Time
		var reason string
		if DemoStages[stage].Kind == store.StageKindLost {
			reason = lostReasons[i%len(lostReasons)]
		}
		if DemoStages[stage].Kind != store.StageKindOpen {
			close = s.now.AddDate(0, 0, -s.rnd.IntN(60)-1)
			closedAt = &close
		}
		contact := a.contacts[s.rnd.IntN(len(a.contacts))]
		id, err := s.q.CreateOpportunity(s.ctx, s.tx, store.CreateOpportunityParams{
			OwnerID: a.owner, Name: fmt.Sprintf("%s – %s", a.name, pick(s.rnd, dealKinds)),
			AccountID: a.id, ContactID: &contact, StageID: s.stages[stage],
			Amount: money(int64(5+s.rnd.IntN(95)) * 1000), Currency: "USD",
			CloseDate: pgtype.Date{Time: close, Valid: true}, ClosedAt: closedAt, LostReason: reason,
		})
		if err != nil {
			return nil, fmt.Errorf("opportunity %d: %w", i, err)
		}
		ids = append(ids, id)
	}
	return ids, s.q.SpreadStageDates(s.ctx, s.tx)
}

func (s *demo) leads() ([]int64, error) {
	var ids []int64
	statuses := []store.LeadStatus{store.LeadStatusNew, store.LeadStatusNew, store.LeadStatusContacted, store.LeadStatusQualified, store.LeadStatusUnqualified}
	for i := range 80 {
		first, last := pick(s.rnd, firstNames), pick(s.rnd, lastNames)
		company := pick(s.rnd, companyStarts) + " " + pick(s.rnd, leadCompanyEnds)
		email := fmt.Sprintf("%s.%s%d@%s.example", slug(first), slug(last), i, slug(company))
		id, err := s.q.CreateLead(s.ctx, s.tx, store.CreateLeadParams{
			OwnerID: pick(s.rnd, s.owners), FirstName: first, LastName: last, Company: company,
			Title: pick(s.rnd, titles), Email: &email, Phone: s.phone(), Source: pick(s.rnd, LeadSources),
			Status: pick(s.rnd, statuses),
		})
		if err != nil {
			return nil, fmt.Errorf("lead %d: %w", i, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func (s *demo) activities(accounts []account, _ []int64, opps, leads []int64) error {
	types := []store.ActivityType{store.ActivityTypeNote, store.ActivityTypeCall, store.ActivityTypeCall,
		store.ActivityTypeEmail, store.ActivityTypeMeeting, store.ActivityTypeTask, store.ActivityTypeTask}
	for i := range 400 {
		t := pick(s.rnd, types)
		p := store.CreateActivityParams{
			OwnerID: pick(s.rnd, s.owners), Type: t, Subject: pick(s.rnd, subjects[t]),
			CreatedAt: s.now.Add(-time.Duration(s.rnd.IntN(60*24)) * time.Hour),
		}
		switch i % 4 {
		case 0:
			a := accounts[s.rnd.IntN(len(accounts))]
			p.AccountID, p.OwnerID = &a.id, a.owner
			p.ContactID = &a.contacts[s.rnd.IntN(len(a.contacts))]
		case 1:
			p.OpportunityID = &opps[s.rnd.IntN(len(opps))]
		case 2:
			p.LeadID = &leads[s.rnd.IntN(len(leads))]
		default:
			a := accounts[s.rnd.IntN(len(accounts))]
			p.AccountID, p.OwnerID = &a.id, a.owner
		}
		switch t {
		case store.ActivityTypeCall:
			d := int32(5 + s.rnd.IntN(40))
			p.DurationMinutes, p.Outcome = &d, pick(s.rnd, callOutcomes)
		case store.ActivityTypeMeeting:
			at := p.CreatedAt.Add(48 * time.Hour)
			p.StartsAt = &at
		case store.ActivityTypeTask:
			due := s.now.AddDate(0, 0, s.rnd.IntN(21)-7)
			p.DueAt = &due
			if s.rnd.IntN(3) == 0 {
				p.DoneAt = &p.CreatedAt
			}
		}
		if t == store.ActivityTypeNote {
			p.Body = pick(s.rnd, noteBodies)
		}
		if _, err := s.q.CreateActivity(s.ctx, s.tx, p); err != nil {
			return fmt.Errorf("activity %d: %w", i, err)
		}
	}
	return nil
}

func (s *demo) phone() string {
	return fmt.Sprintf("+1 %03d %03d %04d", 200+s.rnd.IntN(700), s.rnd.IntN(1000), s.rnd.IntN(10000))
}

// slug keeps the ASCII letters and digits of s, lower-cased, with single dashes between words.
func slug(s string) string {
	var b strings.Builder
	for _, w := range strings.Fields(strings.ToLower(s)) {
		if b.Len() > 0 {
			b.WriteByte('-')
		}
		for _, r := range w {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func money(whole int64) pgtype.Numeric {
	return pgtype.Numeric{Int: bigInt(whole), Exp: 0, Valid: true}
}
