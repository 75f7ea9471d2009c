package timeline

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/people"
	"github.com/crm-team/crm/web/record"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// TaskPage is a new task from anywhere (the top bar's "+ New"): what it is, when it is due, who
// does it, and the record it belongs to, chosen with a picker over every record type.
type TaskPage struct {
	render.Page
	Form        *form.Form
	OwnerSource string
}

var taskFields = []string{"subject", "due_at", "owner_id", "owner_id_label", "related", "related_label"}

// NewTask shows the form, given to the user and due the next working day at nine.
func (h *Handler) NewTask(c *gin.Context) error {
	u := viewer.From(c)
	if !u.Can("activities", "create") {
		return render.Forbidden("Your role does not allow you to add tasks.")
	}
	f := form.New(map[string]string{"owner_id": form.IDString(u.ID), "owner_id_label": u.Name, "due_at": nextMorning(u, time.Now())})
	return h.taskPage(c, http.StatusOK, f)
}

func (h *Handler) taskPage(c *gin.Context, status int, f *form.Form) error {
	f.Need("subject", "related", "owner_id")
	h.R.HTML(c, status, "tasks/new", TaskPage{Page: h.R.Page(c, "New task", "tasks"), Form: f,
		OwnerSource: people.PickerURL("activities", 0)})
	return nil
}

// CreateTask adds the task to the record chosen and goes to it.
func (h *Handler) CreateTask(c *gin.Context) error {
	u := viewer.From(c)
	if !u.Can("activities", "create") {
		return render.Forbidden("Your role does not allow you to add tasks.")
	}
	f := form.Parse(c, taskFields...)
	f.Values["type"] = "task"
	p := validate(f, u, time.Now())
	entity, id := related(f.Get("related"))
	switch {
	case id == 0 && f.Get("related_label") != "":
		f.Fail("related", "Choose the record from the list.")
	case id == 0:
		f.Fail("related", "Choose the lead, account, contact or deal the task is for.")
	}
	switch entity {
	case "leads":
		p.LeadID = &id
	case "accounts":
		p.AccountID = &id
	case "contacts":
		p.ContactID = &id
	case "opportunities":
		p.OpportunityID = &id
	}
	err := viewer.InTx(c, h.Pool, func(ctx context.Context, tx pgx.Tx) error {
		if id != 0 {
			if err := visible(ctx, tx, entity, id, true); db.IsNoRows(err) || err == errConverted {
				f.Fail("related", "Choose a record you can see and that takes tasks (not a converted lead).")
			} else if err != nil {
				return err
			}
		}
		return create(ctx, tx, u, f, p)
	})
	if err == record.ErrInvalid {
		return h.taskPage(c, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return render.Refused(err, "add this task")
	}
	h.R.Flash(c, "Task added.")
	render.Redirect(c, fmt.Sprintf("/%s/%d", entity, id))
	return nil
}

// related reads a record picker's value: "contacts:12".
func related(v string) (string, int64) {
	kind, id, _ := strings.Cut(v, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	for _, e := range Entities {
		if e == kind && err == nil && n > 0 {
			return kind, n
		}
	}
	return "", 0
}
