# proactive_check_layers(): the core does not reach up a layer (issue 14).
#
# Every target defined under core/ may link only targets defined under
# core/ (and the shared flags); a link to tours/, difysim/, ui/ or anything
# else of ours above fails the configure. With that, an include of a header
# from above fails to compile too: core targets' include paths hold only
# core/ and the libraries they link. Called once all directories are added.
function(proactive_collect_targets dir out)
    get_property(targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
    get_property(subdirs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
    foreach(sub IN LISTS subdirs)
        proactive_collect_targets("${sub}" more)
        list(APPEND targets ${more})
    endforeach()
    set(${out} ${targets} PARENT_SCOPE)
endfunction()

function(proactive_check_layers)
    proactive_collect_targets("${PROJECT_SOURCE_DIR}/core" core_targets)
    foreach(target IN LISTS core_targets)
        get_target_property(type ${target} TYPE)
        set(links)
        if(NOT type STREQUAL "INTERFACE_LIBRARY")
            get_target_property(direct ${target} LINK_LIBRARIES)
            if(direct)
                list(APPEND links ${direct})
            endif()
        endif()
        get_target_property(interface ${target} INTERFACE_LINK_LIBRARIES)
        if(interface)
            list(APPEND links ${interface})
        endif()
        foreach(link IN LISTS links)
            # $<LINK_ONLY:x> and other generator expressions around a target name.
            string(REGEX REPLACE "^\\$<[A-Z_]+:(.*)>$" "\\1" link "${link}")
            if(NOT link MATCHES "^proactive_" OR link STREQUAL "proactive_flags" OR NOT TARGET ${link})
                continue()
            endif()
            if(NOT link IN_LIST core_targets)
                get_target_property(where ${link} SOURCE_DIR)
                message(FATAL_ERROR "Layering: core target ${target} links ${link} (${where}), which is above the "
                    "core. The core must not reach up a layer; move the code that needs ${link} above it "
                    "(docs/architecture.md).")
            endif()
        endforeach()
    endforeach()
endfunction()
