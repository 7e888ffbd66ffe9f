{#
    Text cleaning shared by the staging models. The export's rule: stray leading or trailing spaces mean
    nothing, and a field of spaces only is empty (NULL).
#}

{# Trimmed text, NULL when nothing is left. #}
{%- macro clean_text(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro -%}

{# Trimmed, runs of whitespace collapsed to one space, NULL when empty. #}
{%- macro squish_text(column) -%}
    nullif(trim({{ regexp_replace(column, '\\s+', ' ') }}), '')
{%- endmacro -%}

{# Cross-database regular expressions: true when the whole pattern matches somewhere in the text. #}
{%- macro regexp_matches(column, pattern) -%}
    {{ return(adapter.dispatch('regexp_matches', 'orders_warehouse')(column, pattern)) }}
{%- endmacro -%}

{%- macro default__regexp_matches(column, pattern) -%}
    regexp_like({{ column }}, '{{ pattern }}')
{%- endmacro -%}

{%- macro postgres__regexp_matches(column, pattern) -%}
    ({{ column }} ~ '{{ pattern }}')
{%- endmacro -%}

{%- macro duckdb__regexp_matches(column, pattern) -%}
    regexp_matches({{ column }}, '{{ pattern }}')
{%- endmacro -%}

{# Replace every match of a regular expression. #}
{%- macro regexp_replace(column, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace', 'orders_warehouse')(column, pattern, replacement)) }}
{%- endmacro -%}

{%- macro default__regexp_replace(column, pattern, replacement) -%}
    regexp_replace({{ column }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro -%}

{%- macro postgres__regexp_replace(column, pattern, replacement) -%}
    regexp_replace({{ column }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro -%}

{%- macro duckdb__regexp_replace(column, pattern, replacement) -%}
    regexp_replace({{ column }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro -%}

{# Names in title case: 'mary ann SMITH' -> 'Mary Ann Smith'. #}
{%- macro title_case(column) -%}
    {{ return(adapter.dispatch('title_case', 'orders_warehouse')(column)) }}
{%- endmacro -%}

{%- macro postgres__title_case(column) -%}
    initcap({{ column }})
{%- endmacro -%}

{#-
    DuckDB has no initcap: the lower-cased text is cut into runs of letters and digits and runs of anything
    else, and the first character of each run is upper-cased, as initcap does (Unicode letters included).
#}
{%- macro duckdb__title_case(column) -%}
    array_to_string(
        list_transform(
            regexp_extract_all(lower({{ column }}), '[\pL\pN]+|[^\pL\pN]+'),
            lambda text_run: upper(left(text_run, 1)) || substr(text_run, 2)
        ),
        ''
    )
{%- endmacro -%}

{#-
    Spark's string literals treat a backslash as an escape character: the pattern's backslashes are doubled
    so that Spark's regular expression (Java's) receives them as written. rlike finds the pattern anywhere.
#}
{%- macro spark__regexp_matches(column, pattern) -%}
    ({{ column }} rlike '{{ pattern | replace("\\", "\\\\") }}')
{%- endmacro -%}

{%- macro spark__regexp_replace(column, pattern, replacement) -%}
    regexp_replace({{ column }}, '{{ pattern | replace("\\", "\\\\") }}', '{{ replacement }}')
{%- endmacro -%}

{#-
    Spark's initcap only upper-cases after white space ('o''neil-jones' gives 'Neil-jones'), PostgreSQL's after any
    character that is not a letter or digit: the DuckDB way, with Spark's lambdas (Java's \pL and \pN classes).
#}
{%- macro spark__title_case(column) -%}
    array_join(
        transform(
            regexp_extract_all(lower({{ column }}), '([\\pL\\pN]+|[^\\pL\\pN]+)', 1),
            text_run -> concat(upper(left(text_run, 1)), substr(text_run, 2))
        ),
        ''
    )
{%- endmacro -%}

{# Remove every trailing occurrence of the characters in `characters` (PostgreSQL's rtrim(text, characters)). #}
{%- macro rtrim_characters(column, characters) -%}
    {{ return(adapter.dispatch('rtrim_characters', 'orders_warehouse')(column, characters)) }}
{%- endmacro -%}

{%- macro default__rtrim_characters(column, characters) -%}
    rtrim({{ column }}, '{{ characters }}')
{%- endmacro -%}

{#- Spark's two-argument rtrim takes the characters first: the standard syntax says what it does. #}
{%- macro spark__rtrim_characters(column, characters) -%}
    trim(trailing '{{ characters }}' from {{ column }})
{%- endmacro -%}
