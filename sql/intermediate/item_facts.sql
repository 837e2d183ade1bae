-- model: intermediate.item_facts
-- materialized: view
-- What each provider says of its releases and tracks, one fact a row, for the fields
-- canonical.fields chooses field by field: release dates, label and catalog number,
-- genres and tags, and the explicit flag (`true` / `false`). As given, but an empty
-- value is no fact and a NUL character is dropped (canonical.fields separates with it).
-- Genres: MusicBrainz's tags on the release and its release group, Last.fm's album
-- tags, Discogs' genres and styles, and Beatport's genre of each track (a release has
-- its tracks' genres).
-- A view: canonical.fields reads it once, so a copy would only cost writing it. Every
-- model read here is keyed by its item, so a fact repeats only among a release's genres.
with release_facts as (
    select provider, item_id, 'release_date' as field, release_date as value
    from intermediate.release_items
    union all
    select 'musicbrainz', release_id, 'label', label from staging.musicbrainz_releases
    union all
    select 'musicbrainz', release_id, 'catalog_number', catalog_number from staging.musicbrainz_releases
    union all
    select 'discogs', release_id::varchar, 'label', label from staging.discogs_releases
    union all
    select 'discogs', release_id::varchar, 'catalog_number', catalog_number from staging.discogs_releases
    union all
    select 'beatport', release_id::varchar, 'label', label from staging.beatport_releases
    union all
    select 'beatport', release_id::varchar, 'catalog_number', catalog_number from staging.beatport_releases
    union all
    select 'spotify', album_id, 'label', label from staging.spotify_albums
    union all
    select 'deezer', album_id::varchar, 'label', label from staging.deezer_albums
    union all
    select 'apple_music', album_id, 'label', label from staging.apple_music_albums
    union all
    select 'deezer', album_id::varchar, 'explicit', explicit::varchar from staging.deezer_albums
    union all
    select 'apple_music', album_id, 'explicit', explicit::varchar from staging.apple_music_albums
    union all
    select 'itunes', collection_id::varchar, 'explicit', explicit::varchar from staging.itunes_albums
    union all
    -- Spotify flags tracks, not albums: an album with an explicit track is explicit.
    select 'spotify', album_id, 'explicit', bool_or(explicit)::varchar from staging.spotify_tracks group by album_id
),
release_genres as (
    -- One genre can come twice (a tag on the release and on its group, two tracks of
    -- one genre): distinct.
    select distinct provider, item_id, 'genre' as field, trim(value) as value from (
        select 'musicbrainz' as provider, t.entity_id as item_id, t.tag as value from staging.musicbrainz_tags t
        where t.entity = 'release' and coalesce(t.votes, 1) > 0
        union all
        select 'musicbrainz', r.release_id, t.tag
        from staging.musicbrainz_releases r
        join staging.musicbrainz_tags t on t.entity = 'release_group' and t.entity_id = r.release_group_id
        where coalesce(t.votes, 1) > 0
        union all
        select 'lastfm', url, unnest(string_split(tags, ', ')) from staging.lastfm_albums
        union all
        select 'discogs', release_id::varchar, unnest(string_split(genres, ', ')) from staging.discogs_releases
        union all
        select 'discogs', release_id::varchar, unnest(string_split(styles, ', ')) from staging.discogs_releases
        union all
        select 'beatport', release_id::varchar, genre from staging.beatport_tracks
    )
),
track_facts as (
    select 'spotify' as provider, track_id as item_id, 'explicit' as field, explicit::varchar as value
    from staging.spotify_tracks
    union all
    select 'deezer', track_id::varchar, 'explicit', explicit::varchar from staging.deezer_tracks
    union all
    select 'apple_music', song_id, 'explicit', explicit::varchar from staging.apple_music_tracks
    union all
    select 'itunes', track_id::varchar, 'explicit', explicit::varchar from staging.itunes_tracks where kind = 'song'
    union all
    select 'beatport', track_id::varchar, 'genre', genre from staging.beatport_tracks
),
facts as (
    select 'release' as entity, * from release_facts
    union all
    select 'release', * from release_genres
    union all
    select 'track', * from track_facts
)
select entity, provider, item_id, field, trim(replace(value, chr(0), '')) as value
from facts
where item_id is not null and nullif(trim(replace(value, chr(0), '')), '') is not null
