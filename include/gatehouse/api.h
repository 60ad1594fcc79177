/*
 * api.h -- visibility and attribute markers shared by every public header.
 */
#ifndef GATEHOUSE_API_H
#define GATEHOUSE_API_H

#if defined(GH_BUILDING_LIBRARY)
#define GH_API __attribute__((visibility("default")))
#else
#define GH_API
#endif

#define GH_MUST_CHECK __attribute__((warn_unused_result))

#endif
