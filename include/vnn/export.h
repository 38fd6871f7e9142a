/* Symbol visibility: the library builds with -fvisibility=hidden, so only
 * functions marked VNN_API leave the shared object. */
#ifndef VNN_EXPORT_H
#define VNN_EXPORT_H

#if defined(VNN_BUILDING_SHARED) && defined(__GNUC__)
#define VNN_API __attribute__((visibility("default")))
#else
#define VNN_API
#endif

#endif
