-- model: staging.discogs_facts
-- materialized: view
-- What Discogs says of its releases: label and catalog number (first among sources:
-- the labels' own records), genres and styles.
select 'release' as entity, release_id::varchar as item_id, 'label' as field, label as value, 1 as precedence
from staging.discogs_releases
union all
select 'release', release_id::varchar, 'catalog_number', catalog_number, 1 from staging.discogs_releases
union all
select 'release', release_id::varchar, 'genre', unnest(string_split(genres, ', ')), null from staging.discogs_releases
union all
select 'release', release_id::varchar, 'genre', unnest(string_split(styles, ', ')), null from staging.discogs_releases
