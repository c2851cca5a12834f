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

static PyMethodDef methods[] = {
    {"scan", scan, METH_VARARGS, "Every character's text object, loose box, origin and flags (see module)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pdfium_scan", NULL, -1, methods};

PyMODINIT_FUNC PyInit__pdfium_scan(void) { return PyModule_Create(&module); }
