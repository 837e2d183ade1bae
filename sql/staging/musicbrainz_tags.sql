-- model: staging.musicbrainz_tags
-- key: entity, entity_id, tag
-- Folksonomy tags and their vote counts on releases, release groups and artists.
with tagged as (
    select 'release' as entity, release_id as entity_id, unnest(json_extract(r, '$.tags[*]')) as t
    from staging.musicbrainz_release_json
    union all
    select 'release_group', release_group_id, unnest(json_extract(g, '$.tags[*]'))
    from staging.musicbrainz_release_group_json
    union all
    select 'artist', body ->> 'id', unnest(json_extract(body, '$.tags[*]'))
    from answers.musicbrainz_artists
)
select entity, entity_id, t ->> 'name' as tag, max(try_cast(t ->> 'count' as integer)) as votes
from tagged
where t ->> 'name' is not null
group by all
