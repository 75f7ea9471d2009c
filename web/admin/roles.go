package admin

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/format"
	"github.com/crm-team/crm/web/render"
)

// RolesPage lists roles and holds the new-role form.
type RolesPage struct {
	render.Page
	Roles []store.ListRolesRow
	Form  *form.Form
	Bases []form.Option
}

// RolePage is one role's permission matrix.
type RolePage struct {
	render.Page
	Role    store.GetRoleRow
	Form    *form.Form
	Matrix  []MatrixRow
	Actions []store.PermAction
	Scopes  []store.PermScope
}

// MatrixRow is one entity's scopes, action by action.
type MatrixRow struct {
	Entity store.PermEntity
	Cells  []MatrixCell
}

// MatrixCell is one entity and action's select.
type MatrixCell struct {
	Name  string // form field: entity.action
	Scope string
}

var roleConstraints = map[string]form.Constraint{
	"roles_name_key":       {Field: "name", Message: "A role with this name already exists."},
	"roles_name_not_blank": {Field: "name", Message: "This field is required."},
}

// Roles lists the roles.
func (h *Handler) Roles(c *gin.Context) error {
	return h.rolesPage(c, http.StatusOK, form.New(nil))
}

func (h *Handler) rolesPage(c *gin.Context, status int, f *form.Form) error {
	page := RolesPage{Page: h.R.Page(c, "Roles", "admin"), Form: f}
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		page.Roles, err = db.Q.ListRoles(ctx, tx)
		return err
	}); err != nil {
		return err
	}
	page.Bases = []form.Option{{Value: "", Label: "Nothing (no access)"}}
	for _, r := range page.Roles {
		page.Bases = append(page.Bases, form.Option{Value: form.IDString(r.ID), Label: "Copy of " + format.Label(r.Name)})
	}
	h.R.HTML(c, status, "admin/roles", page)
	return nil
}

// CreateRole adds a custom role, optionally copying another role's permissions.
func (h *Handler) CreateRole(c *gin.Context) error {
	f := form.Parse(c, "name", "description", "based_on")
	f.Required("name")
	f.MaxLength("name", 60)
	base := f.ID("based_on")
	if !f.Valid() {
		return h.rolesPage(c, http.StatusUnprocessableEntity, f)
	}
	var id int64
	err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		id, err = db.Q.CreateRole(ctx, tx, store.CreateRoleParams{Name: f.Get("name"), Description: f.Get("description")})
		if err != nil || base == 0 {
			return err
		}
		perms, err := db.Q.ListRolePermissions(ctx, tx, base)
		if err != nil {
			return err
		}
		for _, p := range perms {
			if err := db.Q.SetRolePermission(ctx, tx, store.SetRolePermissionParams{RoleID: id, Entity: p.Entity, Action: p.Action, Scope: p.Scope}); err != nil {
				return err
			}
		}
		return nil
	})
	if f.FromDB(err, roleConstraints) {
		return h.rolesPage(c, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	h.R.Flash(c, "Role "+f.Get("name")+" created. Set what it may do below.")
	render.Redirect(c, "/admin/roles/"+form.IDString(id))
	return nil
}

// Role shows a role's permission matrix.
func (h *Handler) Role(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	var role store.GetRoleRow
	f := form.New(nil)
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		if role, err = db.Q.GetRole(ctx, tx, id); err != nil {
			return err
		}
		perms, err := db.Q.ListRolePermissions(ctx, tx, id)
		for _, p := range perms {
			f.Values[string(p.Entity)+"."+string(p.Action)] = string(p.Scope)
		}
		return err
	}); err != nil {
		return err
	}
	f.Values["name"], f.Values["description"] = role.Name, role.Description
	return h.rolePage(c, http.StatusOK, role, f)
}

func (h *Handler) rolePage(c *gin.Context, status int, role store.GetRoleRow, f *form.Form) error {
	page := RolePage{Page: h.R.Page(c, "Role: "+format.Label(role.Name), "admin"), Role: role, Form: f,
		Actions: store.AllPermActionValues(), Scopes: store.AllPermScopeValues()}
	for _, e := range store.AllPermEntityValues() {
		row := MatrixRow{Entity: e}
		for _, a := range page.Actions {
			name := string(e) + "." + string(a)
			scope := f.Get(name)
			if scope == "" {
				scope = string(store.PermScopeNone)
			}
			row.Cells = append(row.Cells, MatrixCell{Name: name, Scope: scope})
		}
		page.Matrix = append(page.Matrix, row)
	}
	h.R.HTML(c, status, "admin/role", page)
	return nil
}

// UpdateRole saves a role's permissions (and, for a custom role, its name). A change that would
// leave no active admin is refused.
func (h *Handler) UpdateRole(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	names := []string{"name", "description"}
	for _, e := range store.AllPermEntityValues() {
		for _, a := range store.AllPermActionValues() {
			names = append(names, string(e)+"."+string(a))
		}
	}
	f := form.Parse(c, names...)
	for _, n := range names[2:] {
		if !store.PermScope(f.Get(n)).Valid() {
			f.Fail(n, "Choose none, own, team or all.")
		}
	}
	var role store.GetRoleRow
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		if role, err = db.Q.GetRole(ctx, tx, id); err != nil {
			return err
		}
		if !role.Builtin {
			f.Required("name")
			f.MaxLength("name", 60)
		}
		if !f.Valid() {
			return errInvalid
		}
		if !role.Builtin {
			if _, err := db.Q.UpdateRole(ctx, tx, store.UpdateRoleParams{ID: id, Name: f.Get("name"), Description: f.Get("description")}); err != nil {
				return err
			}
		}
		for _, e := range store.AllPermEntityValues() {
			for _, a := range store.AllPermActionValues() {
				scope := store.PermScope(f.Get(string(e) + "." + string(a)))
				if err := db.Q.SetRolePermission(ctx, tx, store.SetRolePermissionParams{RoleID: id, Entity: e, Action: a, Scope: scope}); err != nil {
					return err
				}
			}
		}
		admins, err := db.Q.CountOtherActiveAdmins(ctx, tx, 0)
		if err != nil {
			return err
		}
		if admins == 0 {
			f.Fail("admin.edit", "No active user would be left who can administer the CRM. Keep admin edit at all for this role, or make someone else an admin first.")
			return errInvalid
		}
		return db.Q.TouchRole(ctx, tx, id)
	})
	if err == errInvalid || f.FromDB(err, roleConstraints) {
		if role.Builtin {
			f.Values["name"], f.Values["description"] = role.Name, role.Description
		}
		return h.rolePage(c, http.StatusUnprocessableEntity, role, f)
	}
	if err != nil {
		return err
	}
	h.R.Flash(c, "Saved the permissions of "+format.Label(role.Name)+". They apply from each user's next click.")
	render.Redirect(c, "/admin/roles/"+form.IDString(id))
	return nil
}

// DeleteRole removes a custom role that no user has.
func (h *Handler) DeleteRole(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	var role store.GetRoleRow
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		if role, err = db.Q.GetRole(ctx, tx, id); err != nil {
			return err
		}
		if role.Builtin {
			return &render.HTTPError{Status: http.StatusUnprocessableEntity, Message: "Built-in roles cannot be deleted."}
		}
		_, err := db.Q.DeleteRole(ctx, tx, id)
		return err
	})
	if form.New(nil).FromDB(err, map[string]form.Constraint{"users_role_id_fkey": {}}) {
		h.R.Flash(c, "Role "+format.Label(role.Name)+" still has users. Give them another role first, then delete it.")
		render.Redirect(c, "/admin/roles/"+form.IDString(id))
		return nil
	}
	if err != nil {
		return err
	}
	h.R.Flash(c, "Role "+format.Label(role.Name)+" deleted.")
	render.Redirect(c, "/admin/roles")
	return nil
}
