/*
 * suppress.c
 *	  Complementary suppression: the window function sqii.suppression().
 *
 * A published table is a set of cells (student counts) tied by sums: a sum
 * says that its total cell equals the sum of its part cells (a school's race
 * groups add up to the school, the schools add up to the district, a group
 * and its complement add up to all students).  Cells of 1 .. privacy_min-1
 * students are hidden (primary suppression).  Published cells and the sums
 * still pin some hidden cells down, so further cells are hidden until
 *
 *	(1) no hidden cell is a linear combination of published cells: in the
 *		system "sums restricted to the hidden cells", every hidden cell has
 *		a null-space direction that moves it (exact rank test), and
 *	(2) no sum with a published total has hidden parts adding up to fewer
 *		than privacy_min students (that would show each part is small).
 *
 * The search is greedy: while a hidden cell is exposed, hide the published
 * cell with the fewest students that unpins it (or, failing a single cell,
 * the smallest neighbour, and look again).  Finding the fewest cells is
 * NP-hard in general; greedy by size is what statistical agencies' tools do
 * for tables of this shape.  Zero cells are never hidden: they cannot move
 * down, so they protect nothing.
 *
 * The linear algebra is dense Gauss-Jordan elimination in doubles on a
 * matrix of small integers (+1 total, -1 part), with a tolerance; one
 * partition is meant to be one published table (a district, a school).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "windowapi.h"

#include "sqii.h"

#define ELIMINATION_EPS 1e-9
/* Dense elimination holds relations x (hidden cells + relations) doubles. */
#define MAX_MATRIX_ENTRIES ((Size) 1 << 25)

typedef enum CellReason
{
	CELL_PUBLISHED = 0,
	CELL_PRIVACY,				/* primary: 1 .. privacy_min-1 students */
	CELL_COMPLEMENTARY			/* hidden so that hidden cells stay hidden */
} CellReason;

/* One (sum, cell) membership: coef +1 when the cell is the sum's total. */
typedef struct Membership
{
	const char *key;
	int			cell;
	int			coef;
	int			relation;
} Membership;

/*
 * The table of one window partition and its suppression plan.  Cells are
 * numbered in the greedy order, fewest students first and then by name, so
 * the plan does not depend on the order rows reach the window.
 */
typedef struct SuppressionTable
{
	int			ncells;
	int64	   *count;
	uint8	   *reason;			/* a CellReason */
	int		   *canonical;		/* partition position -> cell */
	int			nrelations;
	const char **relation_key;
	int		   *relation_total; /* the total cell of each sum */
	int			nmemberships;
	Membership *membership;		/* sorted by cell */
	int		   *cell_first;		/* memberships of cell c: [cell_first[c], cell_first[c+1]) */
	int32		privacy_min;
} SuppressionTable;

/* The hidden cells' system after elimination. */
typedef struct Elimination
{
	int			nrows;			/* active sums: those with a hidden cell */
	int			nhidden;
	int		   *hidden;			/* column -> cell */
	int		   *row_of_relation;	/* relation -> row, -1 when inactive */
	int		   *pivot_row;		/* column -> its pivot row, -1 when free */
	int			rank;
	double	   *m;				/* nrows x (nhidden + nrows): [RREF | T] */
} Elimination;

#define CELL_HIDDEN(t, c) ((t)->reason[(c)] != CELL_PUBLISHED)

static int
membership_by_key(const void *a, const void *b)
{
	const Membership *x = a;
	const Membership *y = b;
	int			r = strcmp(x->key, y->key);

	if (r != 0)
		return r;
	/* Totals first, so a sum's total is found at its first membership. */
	if (x->coef != y->coef)
		return y->coef - x->coef;
	return x->cell - y->cell;
}

static int
membership_by_cell(const void *a, const void *b)
{
	const Membership *x = a;
	const Membership *y = b;

	if (x->cell != y->cell)
		return x->cell - y->cell;
	return x->relation - y->relation;
}

/* A cell as read, before it gets its place in the greedy order. */
typedef struct CellRead
{
	int64		count;
	char	   *name;
	int			pos;
} CellRead;

static int
cell_by_count_and_name(const void *a, const void *b)
{
	const CellRead *x = a;
	const CellRead *y = b;

	if (x->count != y->count)
		return x->count < y->count ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The text[] argument argno of partition row pos, appended as memberships. */
static void
ReadKeys(WindowObject winobj, int argno, int64 pos, int coef, int cell,
		 Membership **membership, int *nmemberships, int *capacity)
{
	bool		isnull;
	bool		isout;
	Datum		d = WinGetFuncArgInPartition(winobj, argno, (int) pos, WINDOW_SEEK_HEAD,
											 false, &isnull, &isout);
	ArrayType  *array;
	Datum	   *keys;
	bool	   *nulls;
	int			nkeys;
	int			i;

	if (isnull)
		return;
	array = DatumGetArrayTypeP(d);
	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("sum keys must be a one-dimensional text array")));
	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &keys, &nulls, &nkeys);
	for (i = 0; i < nkeys; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("sum keys must not be NULL")));
		if (*nmemberships == *capacity)
		{
			*capacity *= 2;
			*membership = repalloc_huge(*membership, sizeof(Membership) * *capacity);
		}
		(*membership)[*nmemberships].key = TextDatumGetCString(keys[i]);
		(*membership)[*nmemberships].cell = cell;
		(*membership)[*nmemberships].coef = coef;
		(*membership)[*nmemberships].relation = -1;
		(*nmemberships)++;
	}
}

/*
 * Read the partition: counts, primary suppression and the sums, checking
 * that every sum has one total and adds up.
 */
static SuppressionTable *
ReadTable(WindowObject winobj)
{
	SuppressionTable *t = palloc0(sizeof(SuppressionTable));
	int64		nrows = WinGetPartitionRowCount(winobj);
	int			capacity = 64;
	CellRead   *cells;
	int64	   *partsum;
	int			i;
	int			c;
	int			pos;

	if (nrows > (int64) (MaxAllocSize / sizeof(int64)))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many cells in one published table for sqii.suppression")));
	t->ncells = (int) nrows;
	t->count = palloc(sizeof(int64) * (t->ncells + 1));
	t->reason = palloc0(sizeof(uint8) * (t->ncells + 1));
	t->canonical = palloc(sizeof(int) * (t->ncells + 1));
	t->membership = palloc(sizeof(Membership) * capacity);
	cells = palloc(sizeof(CellRead) * (t->ncells + 1));

	for (pos = 0; pos < t->ncells; pos++)
	{
		bool		isnull;
		bool		isout;
		Datum		d;
		int32		privacy_min;

		d = WinGetFuncArgInPartition(winobj, 4, pos, WINDOW_SEEK_HEAD, false, &isnull, &isout);
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("privacy_min must not be NULL")));
		privacy_min = DatumGetInt32(d);
		if (pos == 0)
		{
			if (privacy_min < 1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("privacy_min must be at least 1"),
						 errhint("Cells of 1-10 students are hidden with privacy_min 11.")));
			t->privacy_min = privacy_min;
		}
		else if (privacy_min != t->privacy_min)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("privacy_min must be the same for every cell of a table")));

		d = WinGetFuncArgInPartition(winobj, 0, pos, WINDOW_SEEK_HEAD, false, &isnull, &isout);
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("a cell name must not be NULL"),
					 errhint("Name cells uniquely within the table, such as school and group.")));
		cells[pos].name = TextDatumGetCString(d);
		cells[pos].pos = pos;

		/* A cell without students (NULL) is published as empty: known zero. */
		d = WinGetFuncArgInPartition(winobj, 1, pos, WINDOW_SEEK_HEAD, false, &isnull, &isout);
		cells[pos].count = isnull ? 0 : DatumGetInt64(d);
		if (cells[pos].count < 0 || cells[pos].count > TALLY_MAX_N)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("a cell count must be between 0 and 2^53")));
	}

	qsort(cells, t->ncells, sizeof(CellRead), cell_by_count_and_name);
	for (c = 0; c < t->ncells; c++)
	{
		if (c > 0 && cells[c].count == cells[c - 1].count && strcmp(cells[c].name, cells[c - 1].name) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("cell \"%s\" appears twice in one table", cells[c].name),
					 errhint("Name cells uniquely within the table.")));
		t->count[c] = cells[c].count;
		t->canonical[cells[c].pos] = c;
		if (t->count[c] > 0 && t->count[c] < t->privacy_min)
			t->reason[c] = CELL_PRIVACY;
	}
	for (pos = 0; pos < t->ncells; pos++)
	{
		ReadKeys(winobj, 2, pos, +1, t->canonical[pos], &t->membership, &t->nmemberships, &capacity);
		ReadKeys(winobj, 3, pos, -1, t->canonical[pos], &t->membership, &t->nmemberships, &capacity);
	}

	/* Number the sums; each has exactly one total and adds up. */
	qsort(t->membership, t->nmemberships, sizeof(Membership), membership_by_key);
	t->relation_key = palloc(sizeof(char *) * (t->nmemberships + 1));
	t->relation_total = palloc(sizeof(int) * (t->nmemberships + 1));
	partsum = palloc0(sizeof(int64) * (t->nmemberships + 1));
	for (i = 0; i < t->nmemberships; i++)
	{
		Membership *mb = &t->membership[i];
		bool		first = (i == 0 || strcmp(mb->key, t->membership[i - 1].key) != 0);

		if (first)
		{
			if (mb->coef != 1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("sum \"%s\" has no total cell", mb->key),
						 errhint("Name each sum in total_of of exactly one cell and in part_of of its parts.")));
			t->relation_key[t->nrelations] = mb->key;
			t->relation_total[t->nrelations] = mb->cell;
			t->nrelations++;
		}
		else if (mb->coef == 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("sum \"%s\" has more than one total cell", mb->key)));
		else if (mb->cell == t->membership[i - 1].cell)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a cell is named twice in sum \"%s\"", mb->key)));
		mb->relation = t->nrelations - 1;
		if (mb->coef == -1)
			partsum[mb->relation] += t->count[mb->cell];
	}
	for (i = 0; i < t->nrelations; i++)
		if (partsum[i] != t->count[t->relation_total[i]])
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("sum \"%s\" does not add up", t->relation_key[i]),
					 errdetail("The count of its total cell differs from the sum of its parts' counts."),
					 errhint("Declare only sums that hold, such as groups that partition the students.")));
	pfree(partsum);

	/* Cell-major memberships for the elimination and the candidates. */
	qsort(t->membership, t->nmemberships, sizeof(Membership), membership_by_cell);
	t->cell_first = palloc0(sizeof(int) * (t->ncells + 1));
	for (i = 0; i < t->nmemberships; i++)
		t->cell_first[t->membership[i].cell + 1]++;
	for (c = 0; c < t->ncells; c++)
		t->cell_first[c + 1] += t->cell_first[c];
	return t;
}

#define M(e, r, col) ((e)->m[(Size) (r) * ((e)->nhidden + (e)->nrows) + (col)])

/*
 * The matrix memory of one plan's eliminations, kept from one to the next
 * (one per cell hidden): allocated afresh, a large table's matrix (about a
 * hundred megabytes at 1,000 schools) cost more in page faults than its
 * elimination (perf).
 */
typedef struct MatrixMemory
{
	double	   *m;
	Size		size;
} MatrixMemory;

static double *
MatrixOf(MatrixMemory *memory, Size size)
{
	if (memory->m == NULL || memory->size < size)
	{
		if (memory->m != NULL)
			pfree(memory->m);
		memory->m = MemoryContextAllocHuge(CurrentMemoryContext, size);
		memory->size = size;
	}
	return memory->m;
}

/*
 * Gauss-Jordan elimination of the sums restricted to the hidden cells,
 * carrying the row operations (T) alongside so that a published cell's
 * column can be reduced later without eliminating again.
 */
static Elimination *
Eliminate(const SuppressionTable *t, MatrixMemory *memory)
{
	Elimination *e = palloc0(sizeof(Elimination));
	int			width;
	int			c;
	int			i;
	int			col;

	e->hidden = palloc(sizeof(int) * (t->ncells + 1));
	e->row_of_relation = palloc(sizeof(int) * (t->nrelations + 1));
	for (i = 0; i < t->nrelations; i++)
		e->row_of_relation[i] = -1;
	for (c = 0; c < t->ncells; c++)
	{
		if (!CELL_HIDDEN(t, c))
			continue;
		e->hidden[e->nhidden++] = c;
		for (i = t->cell_first[c]; i < t->cell_first[c + 1]; i++)
			if (e->row_of_relation[t->membership[i].relation] < 0)
				e->row_of_relation[t->membership[i].relation] = e->nrows++;
	}
	width = e->nhidden + e->nrows;
	if (e->nrows > 0 && (Size) width > MAX_MATRIX_ENTRIES / (Size) e->nrows)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("published table too large for sqii.suppression"),
				 errdetail("%d sums hold %d hidden cells.", e->nrows, e->nhidden),
				 errhint("Partition the window by a smaller table, such as one district.")));
	e->m = MatrixOf(memory, sizeof(double) * (Size) e->nrows * width + 1);
	memset(e->m, 0, sizeof(double) * (Size) e->nrows * width);
	for (col = 0; col < e->nhidden; col++)
		for (i = t->cell_first[e->hidden[col]]; i < t->cell_first[e->hidden[col] + 1]; i++)
			M(e, e->row_of_relation[t->membership[i].relation], col) = t->membership[i].coef;
	for (i = 0; i < e->nrows; i++)
		M(e, i, e->nhidden + i) = 1.0;

	e->pivot_row = palloc(sizeof(int) * (e->nhidden + 1));
	for (col = 0; col < e->nhidden; col++)
	{
		int			best = -1;
		double		bestabs = ELIMINATION_EPS;
		double		pivot;
		int			r;
		int			k;

		e->pivot_row[col] = -1;
		for (r = e->rank; r < e->nrows; r++)
			if (fabs(M(e, r, col)) > bestabs)
			{
				best = r;
				bestabs = fabs(M(e, r, col));
			}
		if (best < 0)
			continue;
		if (best != e->rank)
			for (k = 0; k < width; k++)
			{
				double		tmp = M(e, best, k);

				M(e, best, k) = M(e, e->rank, k);
				M(e, e->rank, k) = tmp;
			}
		pivot = M(e, e->rank, col);
		for (k = 0; k < width; k++)
			M(e, e->rank, k) /= pivot;
		for (r = 0; r < e->nrows; r++)
		{
			double		f = M(e, r, col);

			if (r == e->rank || fabs(f) <= ELIMINATION_EPS)
				continue;
			for (k = 0; k < width; k++)
				M(e, r, k) -= f * M(e, e->rank, k);
			M(e, r, col) = 0.0;
		}
		e->pivot_row[col] = e->rank++;
	}
	return e;
}

/*
 * A pivot variable is pinned by the published cells when its row has no
 * free (non-pivot) column; a free variable never is.
 */
static bool
Determined(const Elimination *e, int col)
{
	int			r = e->pivot_row[col];
	int			f;

	if (r < 0)
		return false;
	for (f = 0; f < e->nhidden; f++)
		if (e->pivot_row[f] < 0 && fabs(M(e, r, f)) > ELIMINATION_EPS)
			return false;
	return true;
}

/*
 * Would hiding published cell j unpin hidden column col?  Hiding j adds the
 * column a_j; a new null vector moves col only if a_j lies in the span of
 * the hidden columns and the solution of A_H v = a_j has v[col] != 0.  Both
 * are read from T a_j.
 */
static bool
Unpins(const SuppressionTable *t, const Elimination *e, int j, int col, double *work)
{
	int			i;
	int			r;

	for (r = 0; r < e->nrows; r++)
		work[r] = 0.0;
	for (i = t->cell_first[j]; i < t->cell_first[j + 1]; i++)
	{
		int			row = e->row_of_relation[t->membership[i].relation];

		if (row < 0)
			return false;		/* alone in that sum: j itself would be pinned */
		for (r = 0; r < e->nrows; r++)
			work[r] += t->membership[i].coef * M(e, r, e->nhidden + row);
	}
	for (r = e->rank; r < e->nrows; r++)
		if (fabs(work[r]) > ELIMINATION_EPS)
			return false;
	return fabs(work[e->pivot_row[col]]) > ELIMINATION_EPS;
}

static bool
SharesSum(const SuppressionTable *t, int a, int b)
{
	int			i;
	int			k;

	for (i = t->cell_first[a]; i < t->cell_first[a + 1]; i++)
		for (k = t->cell_first[b]; k < t->cell_first[b + 1]; k++)
			if (t->membership[i].relation == t->membership[k].relation)
				return true;
	return false;
}

/*
 * The two ends of a cell seen as an edge of the graph whose nodes are the
 * sums (and one extra node, "ground", for cells in a single sum).  False
 * for a cell in no sum or in more than two.
 */
static bool
CellEnds(const SuppressionTable *t, int c, int *a, int *b)
{
	int			first = t->cell_first[c];
	int			nsums = t->cell_first[c + 1] - first;

	if (nsums < 1 || nsums > 2)
		return false;
	*a = t->membership[first].relation;
	*b = nsums == 2 ? t->membership[first + 1].relation : t->nrelations;
	return true;
}

/*
 * Hide the cheapest path of published cells that closes a cycle through
 * hidden cell `cell`: in a two-way table (each cell in at most two sums)
 * a cycle of hidden cells is what lets them all move while every sum still
 * holds.  Dijkstra over the sums graph; hidden cells cost nothing, published
 * cells their count, empty cells cannot be used.  Returns the number of
 * cells hidden (0 when no such path exists).
 */
static int
HideCheapestCycle(SuppressionTable *t, int cell)
{
	int			nnodes = t->nrelations + 1;
	int64	   *dist = palloc(sizeof(int64) * nnodes);
	int		   *via = palloc(sizeof(int) * nnodes);
	bool	   *done = palloc0(sizeof(bool) * nnodes);
	int			source;
	int			target;
	int			node;
	int			hidden = 0;
	int			c;

	if (!CellEnds(t, cell, &source, &target))
		return 0;
	for (node = 0; node < nnodes; node++)
	{
		dist[node] = PG_INT64_MAX;
		via[node] = -1;
	}
	dist[source] = 0;
	for (;;)
	{
		int			u = -1;

		for (node = 0; node < nnodes; node++)
			if (!done[node] && dist[node] != PG_INT64_MAX && (u < 0 || dist[node] < dist[u]))
				u = node;
		if (u < 0 || u == target)
			break;
		done[u] = true;
		for (c = 0; c < t->ncells; c++)
		{
			int			a;
			int			b;
			int			v;
			int64		cost;

			if (c == cell || !CellEnds(t, c, &a, &b) || (a != u && b != u))
				continue;
			if (!CELL_HIDDEN(t, c) && t->count[c] == 0)
				continue;
			v = (a == u) ? b : a;
			cost = CELL_HIDDEN(t, c) ? 0 : t->count[c];
			if (!done[v] && dist[u] + cost < dist[v])
			{
				dist[v] = dist[u] + cost;
				via[v] = c;
			}
		}
	}
	if (dist[target] != PG_INT64_MAX)
	{
		for (node = target; node != source;)
		{
			int			a;
			int			b;

			c = via[node];
			if (!CELL_HIDDEN(t, c))
			{
				t->reason[c] = CELL_COMPLEMENTARY;
				hidden++;
			}
			CellEnds(t, c, &a, &b);
			node = (a == node) ? b : a;
		}
	}
	pfree(dist);
	pfree(via);
	pfree(done);
	return hidden;
}

/*
 * Unpin hidden cell `cell` (column col): hide the smallest published cell
 * that unpins it alone, else the cheapest cycle through it, else its
 * smallest published neighbour (the next round looks again).  False if
 * nothing is left to hide.
 */
static bool
Unpin(SuppressionTable *t, const Elimination *e, int cell, int col, double *work)
{
	int			j;

	for (j = 0; j < t->ncells; j++)
	{
		if (!CELL_HIDDEN(t, j) && t->count[j] > 0 && Unpins(t, e, j, col, work))
		{
			t->reason[j] = CELL_COMPLEMENTARY;
			return true;
		}
	}
	if (HideCheapestCycle(t, cell) > 0)
		return true;
	for (j = 0; j < t->ncells; j++)
	{
		if (!CELL_HIDDEN(t, j) && t->count[j] > 0 && SharesSum(t, j, cell))
		{
			t->reason[j] = CELL_COMPLEMENTARY;
			return true;
		}
	}
	return false;
}

/*
 * A sum whose total is published and whose hidden parts add up to fewer
 * than privacy_min students tells that each of those parts is small: hide
 * its smallest published part.  Returns the cell hidden, or -1 if no sum
 * needed one.
 */
static int
WidenSmallHiddenSums(SuppressionTable *t)
{
	int64	   *hidden_parts = palloc0(sizeof(int64) * (t->nrelations + 1));
	int			result = -1;
	int			i;
	int			j;

	for (i = 0; i < t->nmemberships; i++)
		if (t->membership[i].coef == -1 && CELL_HIDDEN(t, t->membership[i].cell))
			hidden_parts[t->membership[i].relation] += t->count[t->membership[i].cell];

	for (i = 0; i < t->nrelations && result < 0; i++)
	{
		if (hidden_parts[i] == 0 || hidden_parts[i] >= t->privacy_min ||
			CELL_HIDDEN(t, t->relation_total[i]))
			continue;
		for (j = 0; j < t->ncells && result < 0; j++)
		{
			int			m;

			if (CELL_HIDDEN(t, j) || t->count[j] == 0)
				continue;
			for (m = t->cell_first[j]; m < t->cell_first[j + 1]; m++)
				if (t->membership[m].relation == i && t->membership[m].coef == -1)
				{
					t->reason[j] = CELL_COMPLEMENTARY;
					result = j;
					break;
				}
		}
	}
	pfree(hidden_parts);
	return result;
}

static void
FreeElimination(Elimination *e)
{
	pfree(e->hidden);
	pfree(e->row_of_relation);
	pfree(e->pivot_row);
	pfree(e);
}

/* Hide cells until no hidden cell is exposed (see the file header). */
static void
PlanSuppression(SuppressionTable *t)
{
	double	   *work = palloc(sizeof(double) * (t->nrelations + 1));
	MatrixMemory memory = {NULL, 0};

	for (;;)
	{
		Elimination *e;
		int			col;
		int			exposed = -1;

		CHECK_FOR_INTERRUPTS();
		e = Eliminate(t, &memory);
		for (col = 0; col < e->nhidden && exposed < 0; col++)
			if (Determined(e, col))
				exposed = col;
		if (exposed < 0)
		{
			/* Rule (2) last: the cells hidden for rule (1) often satisfy it. */
			FreeElimination(e);
			if (WidenSmallHiddenSums(t) >= 0)
				continue;
			break;
		}
		if (!Unpin(t, e, e->hidden[exposed], exposed, work))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("a hidden cell cannot be protected in sum \"%s\"",
							t->relation_key[t->membership[t->cell_first[e->hidden[exposed]]].relation]),
					 errdetail("Every other cell of the sums it belongs to is hidden or empty.")));
		FreeElimination(e);
	}
	if (memory.m != NULL)
		pfree(memory.m);
	pfree(work);
}

PG_FUNCTION_INFO_V1(suppression);
/*
 * sqii.suppression(cell, n, total_of, part_of, privacy_min) OVER (PARTITION BY
 * table): NULL when the cell may be published, else 'privacy' or
 * 'complementary'.  The plan is made once per partition.
 */
Datum
suppression(PG_FUNCTION_ARGS)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	SuppressionTable **slot;
	int64		pos;

	slot = (SuppressionTable **) WinGetPartitionLocalMemory(winobj, sizeof(SuppressionTable *));
	if (*slot == NULL)
	{
		/* The partition's memory outlives this call; the plan lives there. */
		MemoryContext partcontext = GetMemoryChunkContext(slot);
		MemoryContext plancontext = AllocSetContextCreate(CurrentMemoryContext,
														  "sqii suppression plan",
														  ALLOCSET_DEFAULT_SIZES);
		MemoryContext old = MemoryContextSwitchTo(plancontext);
		SuppressionTable *t = ReadTable(winobj);
		int64		c;

		PlanSuppression(t);
		MemoryContextSwitchTo(partcontext);
		*slot = palloc(sizeof(SuppressionTable));
		(*slot)->ncells = t->ncells;
		(*slot)->reason = palloc(sizeof(uint8) * (t->ncells + 1));
		for (c = 0; c < t->ncells; c++)
			(*slot)->reason[c] = t->reason[t->canonical[c]];
		MemoryContextSwitchTo(old);
		MemoryContextDelete(plancontext);
	}

	pos = WinGetCurrentPosition(winobj);
	switch ((*slot)->reason[pos])
	{
		case CELL_PRIVACY:
			PG_RETURN_TEXT_P(cstring_to_text("privacy"));
		case CELL_COMPLEMENTARY:
			PG_RETURN_TEXT_P(cstring_to_text("complementary"));
		default:
			PG_RETURN_NULL();
	}
}
