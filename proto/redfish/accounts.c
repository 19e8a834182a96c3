/*
 * The AccountService, its accounts (read-only, from the users file) and roles.
 */
#include "rf_private.h"

static void m_account(struct ctx *x, unsigned i)
{
	jw_link(&x->w, NULL, V1 "/AccountService/Accounts/%u", x->map[i] + 1u);
}

static const char *const role_ids[] = { "Administrator", "Operator", "ReadOnly" };

static void m_role(struct ctx *x, unsigned i)
{
	jw_link(&x->w, NULL, V1 "/AccountService/Roles/%s", role_ids[i]);
}

static int role_of(uint8_t priv)
{
	return priv >= PRIV_ADMIN ? 0 : priv == PRIV_OPERATOR ? 1 : priv == PRIV_USER ? 2 : -1;
}

void rf_get_accountsvc(struct ctx *x)
{
	struct jw *w = &x->w;
	rf_hdr(x, R_ACCOUNTSVC, V1 "/AccountService");
	jw_kstr(w, "Id", "AccountService");
	jw_kstr(w, "Name", "Account Service");
	jw_kstr(w, "Description", "Accounts come from the users file, shared with IPMI; read-only");
	jw_kbool(w, "ServiceEnabled", true);
	jw_kstr(w, "LocalAccountAuth", "Enabled");
	jw_kint(w, "MinPasswordLength", 1);
	jw_kint(w, "MaxPasswordLength", USER_PASS_MAX);
	/* no account lockout: failures are throttled per source address instead */
	jw_kint(w, "AccountLockoutThreshold", 0);
	rf_status_obj(w, true);
	jw_link(w, "Accounts", V1 "/AccountService/Accounts");
	jw_link(w, "Roles", V1 "/AccountService/Roles");
	jw_obj_end(w);
}

/* Accounts: an administrator sees all, others their own (DSP8011: ConfigureUsers, or
 * ConfigureSelf for one's own); also who may delete a session. */
bool rf_visible_user(const struct ctx *x, const char *name)
{
	return x->priv >= PRIV_ADMIN || (x->uname && !strcmp(x->uname, name));
}

void rf_get_accounts(struct ctx *x)
{
	uint16_t map[USERS_HARD_MAX];
	unsigned n = 0;
	const struct users *us = x->r->users;
	for (int i = 0; i < us->n && n < USERS_HARD_MAX; i++)
		if (rf_visible_user(x, us->u[i].name))
			map[n++] = (uint16_t)i;
	x->map = map;
	rf_collection(x, "Accounts", n, m_account, 100);
}

void rf_get_account(struct ctx *x)
{
	struct jw *w = &x->w;
	const struct users *us = x->r->users;
	uint32_t id;
	if (!rf_id_u32(x->arg, strlen(x->arg), &id) || id < 1 || id > (uint32_t)us->n) {
		rf_fail(x, 404, M_NOT_FOUND, "ManagerAccount", x->arg, NULL);
		return;
	}
	const struct user *u = &us->u[id - 1];
	if (!rf_visible_user(x, u->name)) {
		rf_fail(x, 403, M_PRIVILEGE, NULL, NULL, NULL);
		return;
	}
	int role = role_of(u->priv);
	rf_hdr(x, R_ACCOUNT, V1 "/AccountService/Accounts/%u", (unsigned)id);
	jw_kstr(w, "Id", x->arg);
	jw_kstr(w, "Name", "User Account");
	jw_kstr(w, "UserName", u->name);
	jw_kstr(w, "RoleId", role >= 0 ? role_ids[role] : "NoAccess");
	jw_kbool(w, "Enabled", role >= 0);
	jw_kbool(w, "Locked", false);
	jw_knull(w, "Password");
	jw_key(w, "AccountTypes");
	jw_raw(w, "[\"Redfish\",\"IPMI\"]");
	if (role >= 0) {
		jw_kobj(w, "Links");
		jw_link(w, "Role", V1 "/AccountService/Roles/%s", role_ids[role]);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

void rf_get_role(struct ctx *x)
{
	static const char *const privs[] = {
		"[\"Login\",\"ConfigureManager\",\"ConfigureUsers\",\"ConfigureComponents\",\"ConfigureSelf\"]",
		"[\"Login\",\"ConfigureComponents\",\"ConfigureSelf\"]",
		"[\"Login\",\"ConfigureSelf\"]",
	};
	struct jw *w = &x->w;
	int i = 0;
	while (i < 3 && strcmp(x->arg, role_ids[i]))
		i++;
	if (i == 3) {
		rf_fail(x, 404, M_NOT_FOUND, "Role", x->arg, NULL);
		return;
	}
	rf_hdr(x, R_ROLE, V1 "/AccountService/Roles/%s", role_ids[i]);
	jw_kstr(w, "Id", role_ids[i]);
	jw_kstr(w, "Name", role_ids[i]);
	jw_kstr(w, "RoleId", role_ids[i]);
	jw_kbool(w, "IsPredefined", true);
	jw_key(w, "AssignedPrivileges");
	jw_raw(w, privs[i]);
	jw_obj_end(w);
}

void rf_get_roles(struct ctx *x)
{
	rf_collection(x, "Roles", 3, m_role, 100);
}
