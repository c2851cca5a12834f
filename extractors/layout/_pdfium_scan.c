/* councilx: one pass over a PDFium text page's characters, in C.
 *
 * The PDFium reader (pdfium_reader.py) needs, for every character of a page, its text object,
 * PDFium's loose box, its origin and two flags. Asked one character at a time through ctypes that
 * is three to five foreign calls per character, most of the reader's time. This module makes the
 * same calls in a C loop and hands the answers back as flat arrays (bytes), which the reader reads
 * with numpy. It links against nothing: the caller passes the addresses of the PDFium functions
 * that pypdfium2 has already loaded, so it always calls the very library pypdfium2 uses.
 *
 * Optional: when it is not built, the reader runs its pure-Python loop (same results).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct { float left, top, right, bottom; } FS_RECTF;   /* PDFium's FS_RECTF field order */

typedef void *(*get_obj_t)(void *, int);
typedef int (*loose_t)(void *, int, FS_RECTF *);
typedef int (*origin_t)(void *, int, double *, double *);
typedef int (*flag_t)(void *, int);

/* scan(text_page, n, get_text_object, get_loose_char_box, get_char_origin, is_generated,
 *      has_unicode_map_error) -> (objects, boxes, origins, flags)
 * objects: n uint64 text object addresses; boxes: n x 4 float32 (left, bottom, right, top);
 * origins: n x 2 float64 (x, y); flags: n uint8 (1 loose box found, 2 generated, 4 unicode map error). */
static PyObject *scan(PyObject *self, PyObject *args) {
    unsigned long long tp_addr, f_obj, f_loose, f_origin, f_gen, f_maperr;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "KnKKKKK", &tp_addr, &n, &f_obj, &f_loose, &f_origin, &f_gen, &f_maperr))
        return NULL;
    if (n < 0) n = 0;
    PyObject *objs = PyBytes_FromStringAndSize(NULL, n * 8);
    PyObject *boxes = PyBytes_FromStringAndSize(NULL, n * 16);
    PyObject *origins = PyBytes_FromStringAndSize(NULL, n * 16);
    PyObject *flags = PyBytes_FromStringAndSize(NULL, n);
    if (!objs || !boxes || !origins || !flags) {
        Py_XDECREF(objs); Py_XDECREF(boxes); Py_XDECREF(origins); Py_XDECREF(flags);
        return NULL;
    }
    uint64_t *o = (uint64_t *)PyBytes_AS_STRING(objs);
    float *b = (float *)PyBytes_AS_STRING(boxes);
    double *g = (double *)PyBytes_AS_STRING(origins);
    unsigned char *fl = (unsigned char *)PyBytes_AS_STRING(flags);
    void *tp = (void *)(uintptr_t)tp_addr;
    get_obj_t get_obj = (get_obj_t)(uintptr_t)f_obj;
    loose_t loose = (loose_t)(uintptr_t)f_loose;
    origin_t origin = (origin_t)(uintptr_t)f_origin;
    flag_t is_gen = (flag_t)(uintptr_t)f_gen;
    flag_t map_err = (flag_t)(uintptr_t)f_maperr;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        FS_RECTF r = {0, 0, 0, 0};
        double x = 0, y = 0;
        unsigned char f = 0;
        int k = (int)i;
        o[i] = (uint64_t)(uintptr_t)get_obj(tp, k);
        if (loose(tp, k, &r)) f |= 1;
        origin(tp, k, &x, &y);
        if (is_gen(tp, k) == 1) f |= 2;
        if (map_err(tp, k) == 1) f |= 4;
        b[4 * i] = r.left; b[4 * i + 1] = r.bottom; b[4 * i + 2] = r.right; b[4 * i + 3] = r.top;
        g[2 * i] = x; g[2 * i + 1] = y;
        fl[i] = f;
    }
    Py_END_ALLOW_THREADS
    return Py_BuildValue("(NNNN)", objs, boxes, origins, flags);
}

/* ---------------------------------------------------------------- page objects
 *
 * walk(page, max_depth, fns) -> (objects, segments) or None when forms nest max_depth deep.
 * One record per page object, forms entered depth first (the order the Python walk visits them):
 * OBJ_FIELDS 8-byte fields (see pdfium_arrays.OBJ_DTYPE); one record per path segment (SEG_DTYPE).
 */
typedef struct { float a, b, c, d, e, f; } FS_MATRIX;

typedef int (*count_t)(void *);
typedef void *(*page_obj_t)(void *, int);
typedef void *(*form_obj_t)(void *, unsigned long);
typedef int (*type_t)(void *);
typedef int (*matrix_t)(void *, FS_MATRIX *);
typedef int (*bounds_t)(void *, float *, float *, float *, float *);
typedef int (*draw_mode_t)(void *, int *, int *);
typedef void *(*segment_t)(void *, int);
typedef int (*point_t)(void *, float *, float *);
typedef int (*color_t)(void *, unsigned int *, unsigned int *, unsigned int *, unsigned int *);
typedef void *(*font_t)(void *);
typedef int (*font_size_t)(void *, float *);

typedef struct {
    int64_t kind, handle, parent, mat_ok;
    double m[6];
    int64_t bounds_ok;
    double bounds[4];              /* left, bottom, right, top */
    int64_t draw_ok, fill_mode, stroke;
    int64_t fill_ok, fill[4], stroke_ok, scol[4];
    int64_t seg_start, seg_count;
    int64_t font, fs_ok;
    double fs;
} obj_rec;

typedef struct { int64_t ok; double x, y; int64_t type, close; } seg_rec;

typedef struct {
    count_t page_count, form_count;
    page_obj_t page_obj;
    form_obj_t form_obj;
    type_t type;
    matrix_t matrix;
    bounds_t bounds;
    draw_mode_t draw_mode;
    count_t seg_count;
    segment_t segment;
    point_t point;
    type_t seg_type;
    type_t seg_close;
    color_t fill, stroke;
    font_t font;
    font_size_t font_size;
} walk_fns;

typedef struct { char *data; size_t len, cap; } buf_t;

static void *grow(buf_t *b, size_t size) {
    if (b->len + size > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + size) cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) return NULL;
        b->data = d; b->cap = cap;
    }
    void *p = b->data + b->len;
    memset(p, 0, size);
    b->len += size;
    return p;
}

/* 0 ok, 1 nested too deep, 2 out of memory */
static int walk_objs(walk_fns *f, void *container, int is_form, int64_t parent, int depth, int max_depth,
                     buf_t *objs, buf_t *segs) {
    int n = is_form ? f->form_count(container) : f->page_count(container);
    for (int k = 0; k < n; k++) {
        void *obj = is_form ? f->form_obj(container, (unsigned long)k) : f->page_obj(container, k);
        if (!obj) continue;
        int kind = f->type(obj);
        if (kind != 1 && kind != 2 && kind != 3 && kind != 5) continue;   /* text, path, image, form */
        if (kind == 5 && depth >= max_depth) return 1;
        obj_rec *r = grow(objs, sizeof(obj_rec));
        if (!r) return 2;
        int64_t self = (int64_t)(objs->len / sizeof(obj_rec)) - 1;
        r->kind = kind; r->handle = (int64_t)(uintptr_t)obj; r->parent = parent;
        FS_MATRIX m = {0, 0, 0, 0, 0, 0};
        r->mat_ok = f->matrix(obj, &m) ? 1 : 0;
        r->m[0] = m.a; r->m[1] = m.b; r->m[2] = m.c; r->m[3] = m.d; r->m[4] = m.e; r->m[5] = m.f;
        if (kind == 1 || kind == 3) {
            float l = 0, b = 0, rt = 0, t = 0;
            r->bounds_ok = f->bounds(obj, &l, &b, &rt, &t) ? 1 : 0;
            r->bounds[0] = l; r->bounds[1] = b; r->bounds[2] = rt; r->bounds[3] = t;
        }
        if (kind == 1) {
            float fs = 0;
            r->font = (int64_t)(uintptr_t)f->font(obj);
            r->fs_ok = f->font_size(obj, &fs) ? 1 : 0;
            r->fs = fs;
        } else if (kind == 2) {
            int mode = 0, stroke = 0;
            r->draw_ok = f->draw_mode(obj, &mode, &stroke) ? 1 : 0;
            r->fill_mode = mode; r->stroke = stroke;
            unsigned int c[4] = {0, 0, 0, 0};
            r->fill_ok = f->fill(obj, &c[0], &c[1], &c[2], &c[3]) ? 1 : 0;
            for (int q = 0; q < 4; q++) r->fill[q] = c[q];
            unsigned int sc[4] = {0, 0, 0, 0};
            r->stroke_ok = f->stroke(obj, &sc[0], &sc[1], &sc[2], &sc[3]) ? 1 : 0;
            for (int q = 0; q < 4; q++) r->scol[q] = sc[q];
            int ns = f->seg_count(obj);
            r->seg_start = (int64_t)(segs->len / sizeof(seg_rec));
            r->seg_count = ns > 0 ? ns : 0;
            for (int q = 0; q < ns; q++) {
                seg_rec *sr = grow(segs, sizeof(seg_rec));
                if (!sr) return 2;
                r = (obj_rec *)(objs->data + self * sizeof(obj_rec));   /* objs did not move, but stay safe */
                void *seg = f->segment(obj, q);
                float x = 0, y = 0;
                if (seg && f->point(seg, &x, &y)) {
                    sr->ok = 1; sr->x = x; sr->y = y;
                    sr->type = f->seg_type(seg);
                    sr->close = f->seg_close(seg) ? 1 : 0;
                }
            }
        } else if (kind == 5) {
            int err = walk_objs(f, obj, 1, self, depth + 1, max_depth, objs, segs);
            if (err) return err;
        }
    }
    return 0;
}

static PyObject *walk(PyObject *self, PyObject *args) {
    unsigned long long page, a[17];
    int max_depth;
    if (!PyArg_ParseTuple(args, "Ki(KKKKKKKKKKKKKKKKK)", &page, &max_depth, &a[0], &a[1], &a[2], &a[3], &a[4],
                          &a[5], &a[6], &a[7], &a[8], &a[9], &a[10], &a[11], &a[12], &a[13], &a[14], &a[15], &a[16]))
        return NULL;
    walk_fns f;
    f.page_count = (count_t)(uintptr_t)a[0]; f.form_count = (count_t)(uintptr_t)a[1];
    f.page_obj = (page_obj_t)(uintptr_t)a[2]; f.form_obj = (form_obj_t)(uintptr_t)a[3];
    f.type = (type_t)(uintptr_t)a[4]; f.matrix = (matrix_t)(uintptr_t)a[5]; f.bounds = (bounds_t)(uintptr_t)a[6];
    f.draw_mode = (draw_mode_t)(uintptr_t)a[7]; f.seg_count = (count_t)(uintptr_t)a[8];
    f.segment = (segment_t)(uintptr_t)a[9]; f.point = (point_t)(uintptr_t)a[10];
    f.seg_type = (type_t)(uintptr_t)a[11]; f.seg_close = (type_t)(uintptr_t)a[12];
    f.fill = (color_t)(uintptr_t)a[13]; f.stroke = (color_t)(uintptr_t)a[14];
    f.font = (font_t)(uintptr_t)a[15]; f.font_size = (font_size_t)(uintptr_t)a[16];
    buf_t objs = {NULL, 0, 0}, segs = {NULL, 0, 0};
    int err;
    Py_BEGIN_ALLOW_THREADS
    err = walk_objs(&f, (void *)(uintptr_t)page, 0, -1, 0, max_depth, &objs, &segs);
    Py_END_ALLOW_THREADS
    PyObject *out;
    if (err == 1) {
        out = Py_None; Py_INCREF(out);
    } else if (err == 2) {
        out = PyErr_NoMemory();
    } else {
        out = Py_BuildValue("(y#y#)", objs.data ? objs.data : "", (Py_ssize_t)objs.len,
                            segs.data ? segs.data : "", (Py_ssize_t)segs.len);
    }
    free(objs.data); free(segs.data);
    return out;
}

/* char_objects(text_page, indices (int32 bytes), fns) -> bytes: per index (CHR_DTYPE) the text object's
 * font and font size (the text page's size where the object gives none, as float), the character's
 * matrix, unicode map error flag and origin: what the reader's `_text_obj` asks of its first character. */
typedef double (*text_fs_t)(void *, int);
typedef int (*text_matrix_t)(void *, int, FS_MATRIX *);

typedef struct {
    int64_t obj, font;
    double fs;
    int64_t mat_ok;
    double m[6];
    int64_t map_err;
    double ox, oy;
} chr_rec;

static PyObject *char_objects(PyObject *self, PyObject *args) {
    unsigned long long tp_addr, a[7];
    Py_buffer idx;
    if (!PyArg_ParseTuple(args, "Ky*(KKKKKKK)", &tp_addr, &idx, &a[0], &a[1], &a[2], &a[3], &a[4], &a[5], &a[6]))
        return NULL;
    Py_ssize_t n = idx.len / 4;
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * sizeof(chr_rec));
    if (!out) { PyBuffer_Release(&idx); return NULL; }
    chr_rec *r = (chr_rec *)PyBytes_AS_STRING(out);
    memset(r, 0, n * sizeof(chr_rec));
    const int32_t *ix = (const int32_t *)idx.buf;
    void *tp = (void *)(uintptr_t)tp_addr;
    get_obj_t get_obj = (get_obj_t)(uintptr_t)a[0];
    font_t font = (font_t)(uintptr_t)a[1];
    font_size_t obj_fs = (font_size_t)(uintptr_t)a[2];
    text_fs_t text_fs = (text_fs_t)(uintptr_t)a[3];
    text_matrix_t matrix = (text_matrix_t)(uintptr_t)a[4];
    flag_t map_err = (flag_t)(uintptr_t)a[5];
    origin_t origin = (origin_t)(uintptr_t)a[6];
    for (Py_ssize_t k = 0; k < n; k++) {
        int i = ix[k];
        void *obj = get_obj(tp, i);
        r[k].obj = (int64_t)(uintptr_t)obj;
        r[k].font = obj ? (int64_t)(uintptr_t)font(obj) : 0;
        float fs = 0;
        if (!(obj && obj_fs(obj, &fs))) fs = (float)text_fs(tp, i);
        r[k].fs = fs;
        FS_MATRIX m = {0, 0, 0, 0, 0, 0};
        r[k].mat_ok = matrix(tp, i, &m) ? 1 : 0;
        r[k].m[0] = m.a; r[k].m[1] = m.b; r[k].m[2] = m.c; r[k].m[3] = m.d; r[k].m[4] = m.e; r[k].m[5] = m.f;
        r[k].map_err = map_err(tp, i) == 1;
        double x = 0, y = 0;
        origin(tp, i, &x, &y);
        r[k].ox = x; r[k].oy = y;
    }
    PyBuffer_Release(&idx);
    return out;
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_VARARGS, "Every character's text object, loose box, origin and flags (see module)."},
    {"walk", walk, METH_VARARGS, "Every page object, forms entered, with its paint and path segments."},
    {"char_objects", char_objects, METH_VARARGS, "What _text_obj asks of given characters."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pdfium_scan", NULL, -1, methods};

PyMODINIT_FUNC PyInit__pdfium_scan(void) { return PyModule_Create(&module); }
